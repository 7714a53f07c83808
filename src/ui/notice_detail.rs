//! The detail pane: every field, the link, and why the notice matched, highlighted in the text.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::deadline::{countdown, local_time};
use super::highlight;
use super::{RenderContext, Theme};
use crate::app::AppState;
use crate::model::{BadgeKind, Field, Hit, NoticeRecord, RuleKind};

/// Draws the detail of the selected notice.
pub fn render(frame: &mut Frame, area: Rect, state: &AppState, ctx: RenderContext<'_>) {
    let block = Block::default().borders(Borders::TOP | Borders::LEFT).title(" Detail ");
    let Some(record) = state.selected_record() else {
        frame.render_widget(Paragraph::new("No notice selected.").block(block), area);
        return;
    };
    let lines = lines(record, state, ctx);
    // J / K (detail keys) scroll long descriptions; the core cannot know the text's height, so
    // the offset is capped here to keep the last line on screen.
    let max = u16::try_from(lines.len().saturating_sub(1)).unwrap_or(u16::MAX);
    let scroll = state.detail_scroll().min(max);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}

fn lines(record: &NoticeRecord, state: &AppState, ctx: RenderContext<'_>) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let notice = &record.notice;
    let hits = &record.relevance.hits;
    let mut out = vec![Line::from(field_spans(
        &notice.title,
        hits,
        Field::Title,
        theme.header(),
        theme,
    ))];
    let label = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{name:<10}"), theme.label()),
            Span::raw(value),
        ])
    };

    let mut buyer = field_spans(&notice.buyer, hits, Field::Buyer, Style::new(), theme);
    buyer.insert(0, Span::styled(format!("{:<10}", "Buyer"), theme.label()));
    if let Some(country) = &notice.country {
        buyer.push(Span::raw(format!(" ({country})")));
    }
    out.push(Line::from(buyer));
    let deadline = match notice.deadline {
        Some(at) => format!(
            "{} {} · {}",
            local_time(at, ctx.tz),
            ctx.tz.iana_name().unwrap_or(""),
            countdown(Some(at), state.now()).0
        ),
        None => "not given".to_owned(),
    };
    out.push(label("Deadline", deadline));
    if let Some(at) = notice.questions_deadline {
        out.push(label(
            "Questions",
            format!("{} · {}", local_time(at, ctx.tz), countdown(Some(at), state.now()).0),
        ));
    }
    if let Some(at) = notice.published {
        out.push(label("Published", local_time(at, ctx.tz)));
    }
    if let Some(value) = notice.value {
        out.push(label(
            "Value",
            crate::model::money::amount(value, notice.currency.as_deref()),
        ));
    }
    let kind = notice.notice_type.as_deref().unwrap_or("–");
    out.push(label("Type", format!("{kind} · {} · {}", notice.source, notice.id)));
    let (triage, pending) = state.effective_triage(record);
    let saving = if pending { " (saving…)" } else { "" };
    let reason = match &record.reject_reason() {
        Some(reason) if triage == crate::model::Triage::Rejected => format!(" — {reason}"),
        _ => String::new(),
    };
    out.push(label("Status", format!("{}{reason}{saving}", triage.as_str())));
    if !record.tags().is_empty() {
        let tags: Vec<String> = record.tags().iter().map(|t| format!("#{t}")).collect();
        out.push(Line::from(vec![
            Span::styled(format!("{:<10}", "Tags"), theme.label()),
            Span::styled(tags.join(" "), theme.key()),
        ]));
    }
    for (i, change) in record.changes().iter().enumerate() {
        let show = |v: &str| match (change.field.as_str(), v.parse::<jiff::Timestamp>()) {
            ("deadline", Ok(at)) => local_time(at, ctx.tz),
            (_, _) if v.is_empty() => "–".to_owned(),
            (_, _) => crate::app::shorten(v, 60),
        };
        let name = if i == 0 { "Changed" } else { "" };
        out.push(Line::from(vec![
            Span::styled(format!("{name:<10}"), theme.label()),
            Span::styled(format!("{} ", change.field), theme.urgent()),
            Span::raw(format!("{} → {}", show(&change.old), show(&change.new))),
        ]));
    }
    out.push(Line::from(cpv_spans(record, theme)));
    out.push(Line::from(score_spans(record, theme)));
    if !record.relevance.badges.is_empty() {
        let mut spans = vec![Span::styled(format!("{:<10}", "Signals"), theme.label())];
        for (i, badge) in record.relevance.badges.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(" · "));
            }
            let style = match badge.kind() {
                BadgeKind::Regulatory => theme.header(),
                BadgeKind::Innovation => theme.ok(),
            };
            spans.push(Span::styled(badge.label().to_owned(), style));
        }
        out.push(Line::from(spans));
    }
    if record.relevance.profiles.len() > 1 {
        out.push(label("Profiles", record.relevance.profiles.join(", ")));
    }
    out.push(label("Link", notice.url.clone()));
    for award in state.awards_for(&notice.id) {
        out.push(label("Award", award.outcome_in_words()));
    }
    if let Some(who) = record.assignee() {
        out.push(label("Assignee", who.to_owned()));
    }
    // Team mode: who last changed it, so a decision that moved by itself has a name on it.
    if let Some((words, at)) = state.last_remote_change(&notice.id) {
        out.push(label("Team", format!("{words} · {}", local_time(at, ctx.tz))));
    }
    for other in record.also_on() {
        out.push(label(
            "Also on",
            format!(
                "{}: {} — merged: {}",
                source_name(&other.source),
                other.url,
                other.reason
            ),
        ));
    }
    if !record.note().is_empty() {
        let mut lines = record.note().lines();
        let name = if state.team_member().is_some() {
            "Comments"
        } else {
            "Note"
        };
        out.push(label(name, lines.next().unwrap_or_default().to_owned()));
        out.extend(lines.map(|l| Line::raw(format!("{:<10}{l}", ""))));
    }
    if state.is_description_loading(record) {
        out.push(Line::raw(""));
        out.push(Line::styled("Reading the description…", theme.label()));
    } else if !notice.description.is_empty() {
        out.push(Line::raw(""));
        out.push(Line::from(field_spans(
            &notice.description,
            hits,
            Field::Description,
            Style::new(),
            theme,
        )));
    }
    out
}

/// The field's text with the hits in it highlighted.
fn field_spans(text: &str, hits: &[Hit], field: Field, base: Style, theme: &Theme) -> Vec<Span<'static>> {
    let marks: Vec<_> = hits
        .iter()
        .filter(|h| h.field == field)
        .map(|h| (h.span().start, h.span().end, hit_style(h, theme)))
        .collect();
    highlight::by_bytes(text, &marks, base)
}

fn hit_style(hit: &Hit, theme: &Theme) -> Style {
    if hit.weight < 0 {
        theme.exclude_hit()
    } else {
        theme.keyword_hit()
    }
}

fn cpv_spans(record: &NoticeRecord, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = vec![Span::styled(format!("{:<10}", "CPV"), theme.label())];
    for (i, code) in record.notice.cpv.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" "));
        }
        // A CPV hit's span covers the digits its rule compared (e.g. 0..3 for rule "33600000").
        let hit = record.relevance.hits.iter().find(|h| {
            h.field == Field::Cpv
                && h.kind == RuleKind::Cpv
                && h.rule.get(..h.span().end).is_some_and(|p| code.starts_with(p))
        });
        let style = hit.map_or(Style::new(), |h| hit_style(h, theme));
        spans.push(Span::styled(code.to_owned(), style));
    }
    spans
}

/// "Score 7, matched: velferdsteknologi +3 (title), 3319 +2 (cpv), legemidler −4 (description)".
fn score_spans(record: &NoticeRecord, theme: &Theme) -> Vec<Span<'static>> {
    let relevance = &record.relevance;
    let verdict = if relevance.matched {
        "matched"
    } else {
        "below threshold"
    };
    let mut spans = vec![
        Span::styled(format!("{:<10}", "Score"), theme.label()),
        Span::raw(format!("{} ({verdict})", relevance.score)),
    ];
    let mut seen: Vec<&str> = Vec::new();
    for hit in &relevance.hits {
        if seen.contains(&hit.rule.as_str()) {
            continue;
        }
        seen.push(&hit.rule);
        spans.push(Span::raw(if seen.len() == 1 { ": " } else { ", " }));
        // A profile filter excluded the notice: its rule text says which and why.
        if hit.kind == RuleKind::Filter {
            spans.push(Span::styled(hit.rule.to_string(), theme.exclude_hit()));
            continue;
        }
        let field = match hit.field {
            Field::Title => "title",
            Field::Description => "description",
            Field::Buyer => "buyer",
            Field::Cpv => "cpv",
        };
        spans.push(Span::styled(hit.rule.to_string(), hit_style(hit, theme)));
        spans.push(Span::raw(format!(" {:+} ({field})", hit.weight)));
    }
    spans
}

/// A source kind as people write it: "TED", "Doffin", "FTS"; others as stored.
fn source_name(kind: &str) -> String {
    match kind {
        "ted" => "TED".to_owned(),
        "doffin" => "Doffin".to_owned(),
        "fts" | "ocds" | "rss" => kind.to_uppercase(),
        other => other.to_owned(),
    }
}
