//! The Market screen (`m`; `b` opens a buyer's history): award notices in your space, incumbents,
//! expiring contracts with their re-tender windows, your own record. Drawn from the views the core
//! derived (`app::market`); every name and title from a feed passes through `sanitize` here.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

use super::RenderContext;
use super::theme::Theme;
use crate::app::AppState;
use crate::app::market::{FamilyKind, MarketSection, MarketState, award_day};
use crate::model::text::sanitize;
use crate::model::{AwardStatus, StoredAward, ValueKind};

/// Draws the screen into `area` (the list's place; the tab and status lines stay).
pub fn render(frame: &mut Frame, area: Rect, state: &AppState, ctx: RenderContext<'_>) {
    let theme = ctx.theme;
    let market = state.market();
    let about_text = about_text(market);
    // The sentence gets the lines it needs at this width, at most three.
    let about_rows = super::sources::wrap(&about_text, usize::from(area.width).max(20))
        .len()
        .min(3);
    let [tabs, about, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::try_from(about_rows).unwrap_or(3)),
        Constraint::Min(1),
    ])
    .areas(area);
    let mut line = section_line(market, theme, false);
    if line.width() > usize::from(area.width) {
        line = section_line(market, theme, true);
    }
    frame.render_widget(Paragraph::new(line), tabs);
    frame.render_widget(
        Paragraph::new(Line::styled(about_text, theme.muted())).wrap(Wrap { trim: true }),
        about,
    );
    match market.section() {
        MarketSection::Awards => awards(frame, body, market, theme),
        MarketSection::Incumbents => incumbents(frame, body, market, theme),
        MarketSection::Expiring => expiring(frame, body, market, theme),
        MarketSection::Record => record(frame, body, market, theme),
        MarketSection::Buyer => buyer(frame, body, state, ctx),
    }
}

/// " Market  1 Awards 4 · 2 Incumbents · …   Tab next · Esc closes"; `narrow`: short labels, no
/// key hint (the help has it).
fn section_line(market: &MarketState, theme: &Theme, narrow: bool) -> Line<'static> {
    let mut spans = vec![Span::styled(" Market ", theme.title())];
    for (n, section) in MarketSection::ALL.into_iter().enumerate() {
        let count = match section {
            MarketSection::Awards => format!(" {}", market.in_space().count()),
            MarketSection::Expiring => format!(" {}", market.expiring().count()),
            MarketSection::Buyer => match market.buyer() {
                Some(b) => format!(": {}", short(&sanitize(&b.name), if narrow { 12 } else { 24 })),
                None if narrow => String::new(),
                None => " (b on a notice)".to_owned(),
            },
            MarketSection::Incumbents | MarketSection::Record => String::new(),
        };
        let label = match section {
            MarketSection::Incumbents if narrow => "Incumb.",
            MarketSection::Record if narrow => "Record",
            _ => section.label(),
        };
        let style = if section == market.section() {
            theme.tab_active()
        } else {
            theme.tab()
        };
        spans.push(Span::raw(" "));
        spans.push(Span::styled(format!("{}", n + 1), theme.key()));
        spans.push(Span::styled(format!(" {label}{count} "), style));
    }
    if !narrow {
        spans.push(Span::styled("  Tab next · Esc closes", theme.muted()));
    }
    Line::from(spans)
}

/// What the section shows and what its figures rest on, in a sentence.
fn about_text(market: &MarketState) -> String {
    let lead = market.lead();
    match market.section() {
        MarketSection::Awards => "Award notices in your space (their own title and CPV codes match a profile, or they \
             conclude a notice that does), newest first. Values keep their kind: max = a framework \
             ceiling, est = the buyer's estimate."
            .to_owned(),
        MarketSection::Incumbents => {
            "Winners per CPV division (first 2 digits of the CPV code) and per profile. Spend adds \
             awarded values only, per currency; framework ceilings and estimates are shown apart \
             (the largest), never added up."
                .to_owned()
        }
        MarketSection::Expiring => format!(
            "Contracts in your space by estimated end (options and extensions not included: a \
             re-tender is likely, not certain). Re-tender window = end − {} … end − {} months.",
            lead.opens, lead.closes
        ),
        MarketSection::Record => {
            "Your bids by stage and outcome. Won and lost come from your decisions, or from award \
             notices naming you (own_org_ids, own_names) — never from an intent or no-award notice."
                .to_owned()
        }
        MarketSection::Buyer => {
            "The buyer's award notices (every one stored, in your space or not) and its notices in \
             the database, newest first."
                .to_owned()
        }
    }
}

/// A table of `rows` under the `columns` (title, width; the last takes the rest), from the
/// `scroll`-th row on.
fn table(
    frame: &mut Frame,
    area: Rect,
    columns: &[(&'static str, u16)],
    rows: impl IntoIterator<Item = Row<'static>>,
    scroll: usize,
    theme: &Theme,
) {
    let head = Row::new(columns.iter().map(|(title, _)| Cell::from(*title))).style(theme.header());
    let last = columns.len().saturating_sub(1);
    let widths: Vec<Constraint> = columns
        .iter()
        .enumerate()
        .map(|(i, (_, w))| {
            if i == last {
                Constraint::Min(*w)
            } else {
                Constraint::Length(*w)
            }
        })
        .collect();
    // Only the rows on screen are built: a section can hold thousands of awards, and this runs
    // every frame.
    let visible = usize::from(area.height.saturating_sub(1));
    let rows: Vec<Row> = rows.into_iter().skip(scroll).take(visible).collect();
    frame.render_widget(Table::new(rows, widths).header(head).column_spacing(1), area);
}

fn empty(frame: &mut Frame, area: Rect, text: &str, theme: &Theme) {
    frame.render_widget(
        Paragraph::new(text.to_owned())
            .style(theme.muted())
            .wrap(Wrap { trim: true }),
        area,
    );
}

/// The value with its kind: "17 000 000 NOK", "14 671 946 NOK max", "4 000 000 NOK est".
fn value(award: &crate::model::Award) -> String {
    let Some(v) = award.value else {
        return String::new();
    };
    let kind = match award.value_kind {
        Some(ValueKind::FrameworkMax) => " max",
        Some(ValueKind::Estimate) => " est",
        Some(ValueKind::Award) | None => "",
    };
    format!("{}{kind}", crate::model::money::amount(v, award.currency.as_deref()))
}

/// The winner as the row says it: a name, "intent: name", "no award".
fn winner(award: &crate::model::Award) -> String {
    let name = award.winner_name.as_deref().map(sanitize).unwrap_or_default();
    match award.status {
        AwardStatus::Awarded => name,
        AwardStatus::Intent => format!("intent: {name}"),
        AwardStatus::NoAward => "no award".to_owned(),
    }
}

fn day(date: Option<jiff::civil::Date>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}

fn ends(stored: &StoredAward) -> String {
    stored.end.map(|e| e.end.to_string()).unwrap_or_default()
}

fn tenders(award: &crate::model::Award) -> String {
    award.tenders_received.map(|n| n.to_string()).unwrap_or_default()
}

/// `text` cut to `max` characters with an ellipsis.
fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn awards(frame: &mut Frame, area: Rect, market: &MarketState, theme: &Theme) {
    if market.in_space().next().is_none() {
        let text = if market.awards().is_empty() {
            "No award notices stored yet. `anbud awards --import FILE…` loads recorded ones."
        } else {
            "None of the stored award notices is in your space: their titles and CPV codes match no profile, \
             and none concludes a matched notice."
        };
        return empty(frame, area, text, theme);
    }
    let rows = market.in_space().map(|s| {
        let a = &s.award;
        Row::new(vec![
            Cell::from(day(award_day(a))),
            Cell::from(winner(a)),
            Cell::from(value(a)),
            Cell::from(tenders(a)),
            Cell::from(ends(s)),
            Cell::from(sanitize(&a.buyer)),
            Cell::from(sanitize(&a.title)),
        ])
    });
    let columns = [
        ("Awarded", 10),
        ("Winner", 28),
        ("Value", 18),
        ("Bids", 4),
        ("Ends", 10),
        ("Buyer", 22),
        ("Title", 10),
    ];
    table(frame, area, &columns, rows, market.scroll(), theme);
}

fn incumbents(frame: &mut Frame, area: Rect, market: &MarketState, theme: &Theme) {
    if market.incumbents().is_empty() {
        return empty(
            frame,
            area,
            "No winners in your space yet: incumbents are counted from awarded notices that name a winner.",
            theme,
        );
    }
    // Lines rather than a table: a group's heading spans the columns.
    const WIDTHS: [usize; 6] = [28, 4, 22, 24, 10, 9];
    let head = [
        "Supplier",
        "Wins",
        "Spend (awarded)",
        "Not spend",
        "Last win",
        "Med. bids",
        "Buyers",
    ];
    let mut lines = vec![Line::styled(columns(&head, &WIDTHS), theme.header())];
    let mut body = Vec::new();
    for group in market.incumbents() {
        let what = match group.kind {
            FamilyKind::Cpv => sanitize(&group.label),
            FamilyKind::Profile => format!("profile {}", sanitize(&group.label)),
        };
        let n = group.rows.len();
        body.push(Line::styled(
            format!("{what} — {n} supplier{}", if n == 1 { "" } else { "s" }),
            theme.title(),
        ));
        for r in &group.rows {
            let mut other = Vec::new();
            if !r.ceilings.is_empty() {
                other.push(format!("ceiling {}", r.ceilings.largest_in_words()));
            }
            if !r.estimates.is_empty() {
                other.push(format!("est {}", r.estimates.largest_in_words()));
            }
            let buyers = match r.buyers.as_slice() {
                [] => String::new(),
                [one] => sanitize(one),
                [first, rest @ ..] => format!("{} +{}", sanitize(first), rest.len()),
            };
            let cells = [
                format!("  {}", sanitize(&r.supplier)),
                r.wins.to_string(),
                r.spend.in_words(),
                other.join(" · "),
                day(r.last_win),
                r.median_tenders.map(|m| format!("{m}")).unwrap_or_default(),
                buyers,
            ];
            body.push(Line::raw(columns(&cells, &WIDTHS)));
        }
    }
    lines.extend(body.into_iter().skip(market.scroll()));
    frame.render_widget(Paragraph::new(lines), area);
}

/// Cells padded (or cut, with `…`) to `widths` columns, one space apart; the last cell as it is.
fn columns<S: AsRef<str>>(cells: &[S], widths: &[usize]) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut out = String::new();
    for (i, cell) in cells.iter().enumerate() {
        let text = cell.as_ref();
        let Some(&width) = widths.get(i) else {
            out.push_str(text);
            break;
        };
        let fitted = if text.width() > width {
            let mut cut = String::new();
            for c in text.chars() {
                if cut.width() + unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) + 1 > width {
                    break;
                }
                cut.push(c);
            }
            cut.push('…');
            cut
        } else {
            text.to_owned()
        };
        let pad = width.saturating_sub(fitted.width());
        out.push_str(&fitted);
        out.push_str(&" ".repeat(pad + 1));
    }
    out
}

fn expiring(frame: &mut Frame, area: Rect, market: &MarketState, theme: &Theme) {
    if market.expiring().next().is_none() {
        return empty(
            frame,
            area,
            "No contract in your space has a known end still ahead. Ends are rarely stated: they are \
             estimated from a start or signing date and a duration, often the competition notice's.",
            theme,
        );
    }
    let lead = market.lead();
    let rows = market.expiring().map(|s| {
        let a = &s.award;
        Row::new(vec![
            Cell::from(ends(s)),
            Cell::from(s.retender_window(lead).map(|w| w.to_string()).unwrap_or_default()),
            Cell::from(winner(a)),
            Cell::from(sanitize(&a.buyer)),
            Cell::from(s.end_in_words()),
            Cell::from(sanitize(&a.title)),
        ])
    });
    let columns = [
        ("Ends", 10),
        ("Re-tender window", 23),
        ("Holder", 22),
        ("Buyer", 20),
        ("End rests on", 36),
        ("Title", 10),
    ];
    table(frame, area, &columns, rows, market.scroll(), theme);
}

fn record(frame: &mut Frame, area: Rect, market: &MarketState, theme: &Theme) {
    let r = market.record();
    let rate = r.win_rate().map_or_else(
        || "no decided bid yet".to_owned(),
        |rate| format!("{:.0} % ({} of {} decided bids)", rate * 100.0, r.won, r.won + r.lost),
    );
    let figure = |label: &str, n: usize| {
        vec![
            Span::styled(format!("{label} "), theme.label()),
            Span::raw(format!("{n}   ")),
        ]
    };
    let mut counts = Vec::new();
    counts.extend(figure("Bidding", r.bidding));
    counts.extend(figure("Submitted (no outcome yet)", r.submitted));
    counts.extend(figure("Won", r.won));
    counts.extend(figure("Lost", r.lost));
    counts.extend(figure("No award", r.no_award));
    let mut lines = vec![
        Line::from(counts),
        Line::from(vec![Span::styled("Win rate ", theme.label()), Span::raw(rate)]),
        Line::default(),
    ];
    if r.lost == 0 {
        lines.push(Line::styled("Lost to: nobody yet", theme.muted()));
    } else {
        lines.push(Line::styled("Lost to", theme.label()));
        for (name, n) in r.lost_to.iter().skip(market.scroll()) {
            lines.push(Line::raw(format!("  {}  {n}", sanitize(name))));
        }
        if r.lost_unknown > 0 {
            lines.push(Line::styled(
                format!("  {} lost with no award notice naming the winner", r.lost_unknown),
                theme.muted(),
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn buyer(frame: &mut Frame, area: Rect, state: &AppState, ctx: RenderContext<'_>) {
    let theme = ctx.theme;
    let market = state.market();
    let Some(history) = market.buyer() else {
        return empty(
            frame,
            area,
            "Press b on a notice in the list for its buyer's history.",
            theme,
        );
    };
    let org = history
        .org_id
        .as_deref()
        .map(|id| format!(" (org {})", sanitize(id)))
        .unwrap_or_default();
    let most = if history.winners.is_empty() {
        "no named winner yet".to_owned()
    } else {
        history
            .winners
            .iter()
            .take(4)
            .map(|(w, n)| format!("{} ({n})", sanitize(w)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // "Last time": the newest award that named a winner, as the detail pane words an outcome.
    let last = market.buyer_awards().find(|a| a.award.is_awarded()).map_or_else(
        || "no award with a named winner stored".to_owned(),
        |a| {
            let outcome = sanitize(&a.outcome_in_words());
            award_day(&a.award).map_or_else(|| outcome.clone(), |d| format!("{d} — {outcome}"))
        },
    );
    let [top, rest] = Layout::vertical([Constraint::Length(3), Constraint::Min(1)]).areas(area);
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled(format!("{}{org}", sanitize(&history.name)), theme.title()),
                Span::raw(format!(
                    " — {} award row{}, {} notice{}",
                    history.awards.len(),
                    if history.awards.len() == 1 { "" } else { "s" },
                    history.notices.len(),
                    if history.notices.len() == 1 { "" } else { "s" }
                )),
            ]),
            Line::from(vec![Span::styled("Most wins ", theme.label()), Span::raw(most)]),
            Line::from(vec![Span::styled("Last award ", theme.label()), Span::raw(last)]),
        ]),
        top,
    );
    let mut rows = vec![Row::new(vec![Cell::from("Awards")]).style(theme.title())];
    for stored in market.buyer_awards() {
        let a = &stored.award;
        rows.push(Row::new(vec![
            Cell::from(day(award_day(a))),
            Cell::from(winner(a)),
            Cell::from(value(a)),
            Cell::from(tenders(a)),
            Cell::from(ends(stored)),
            Cell::from(sanitize(&a.title)),
        ]));
    }
    if history.awards.is_empty() {
        rows.push(Row::new(vec![Cell::from(""), Cell::from("none stored")]).style(theme.muted()));
    }
    rows.push(Row::new(vec![Cell::from("Notices")]).style(theme.title()));
    for id in &history.notices {
        let Some(record) = state.record_by_id(id) else { continue };
        let n = &record.notice;
        let published = n
            .published
            .map(|p| super::local_time(p, ctx.tz).get(..10).unwrap_or_default().to_owned())
            .unwrap_or_default();
        let deadline = n
            .deadline
            .map(|d| super::local_time(d, ctx.tz).get(..10).unwrap_or_default().to_owned())
            .unwrap_or_default();
        let style = if record.relevance.matched {
            Style::new()
        } else {
            theme.muted()
        };
        rows.push(
            Row::new(vec![
                Cell::from(published),
                Cell::from(record.triage.as_str()),
                Cell::from(
                    n.value
                        .map(|v| crate::model::money::amount(v, n.currency.as_deref()))
                        .unwrap_or_default(),
                ),
                Cell::from(""),
                Cell::from(deadline),
                Cell::from(sanitize(&n.title)),
            ])
            .style(style),
        );
    }
    let columns = [
        ("Date", 10),
        ("Winner/stage", 28),
        ("Value", 18),
        ("Bids", 4),
        ("Ends/due", 10),
        ("Title", 10),
    ];
    table(frame, rest, &columns, rows, market.scroll(), theme);
}
