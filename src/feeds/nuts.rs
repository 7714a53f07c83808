//! NUTS region codes among the location codes feeds send: TED's `place-of-performance` mixes NUTS
//! (`FRE11`) with ISO 3166 alpha-3 country codes (`FRA`), Doffin's `locationId` has NUTS and
//! `anyw` (anywhere), OCDS `deliveryAddresses[].region` holds NUTS or a place name (`London`).

use super::distinct::distinct;

/// The NUTS codes among `codes`, upper case, de-duplicated, in source order.
///
/// A NUTS code is the two-letter country code and one to three letters or digits. Three-letter
/// codes are left out, because they cannot be told from ISO alpha-3 country codes (`DEA` is a
/// NUTS region, `DEU` a country); a three-character code with a digit (`NO0`) is kept. Two-letter
/// codes are countries, already in the country column.
pub(super) fn nuts_codes<'a>(codes: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let shaped = codes.into_iter().map(str::trim).filter(|code| {
        let bytes = code.as_bytes();
        let shaped = (3..=5).contains(&bytes.len())
            && bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2..].iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        let ambiguous = bytes.len() == 3 && !bytes[2].is_ascii_digit();
        shaped && !ambiguous
    });
    distinct(shaped).into_iter().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_nuts_and_drops_countries_and_places() {
        assert_eq!(
            nuts_codes([
                "FRI12", "FRI32", "FRA", "FRA", "FRI12", "anyw", "UK", "UKM6", "NO0", "London", "DEA"
            ]),
            ["FRI12", "FRI32", "UKM6", "NO0"]
        );
        assert!(nuts_codes(["BEL", "anyw", ""]).is_empty());
    }
}
