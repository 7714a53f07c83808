//! Money as people read it, for the screen (exports write plain numbers, see
//! `export::csv_out::format_number`): the notice's estimated value and an award's value read alike.

/// `value` grouped by thousands, then its currency: "17 000 000 NOK".
pub fn amount(value: f64, currency: Option<&str>) -> String {
    match currency {
        Some(currency) if !currency.is_empty() => format!("{} {currency}", grouped(value)),
        _ => grouped(value),
    }
}

/// A number with groups of three digits and at most two decimals: 17 000 000, 5 850.5.
fn grouped(value: f64) -> String {
    let text = if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}").trim_end_matches('0').to_owned()
    };
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    let (sign, digits) = whole.strip_prefix('-').map_or(("", whole), |d| ("-", d));
    let mut out = String::from(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    if let Some(f) = fraction {
        out.push('.');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{amount, grouped};

    #[test]
    fn amounts_are_grouped_by_thousands() {
        assert_eq!(grouped(17_000_000.0), "17 000 000");
        assert_eq!(grouped(5_850.5), "5 850.5");
        assert_eq!(grouped(320_649.86), "320 649.86");
        assert_eq!(grouped(999.0), "999");
        assert_eq!(grouped(-1_234.0), "-1 234");
    }

    #[test]
    fn the_currency_follows_the_amount() {
        assert_eq!(amount(17_000_000.0, Some("NOK")), "17 000 000 NOK");
        assert_eq!(amount(2_500.0, None), "2 500");
    }
}
