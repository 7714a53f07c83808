//! Whether a lot is a framework agreement, and which kind (eForms BT-765): a framework's value is
//! a ceiling for call-offs over its years, not what was spent, so it is never summed as spend.

use serde::{Deserialize, Serialize};

/// eForms BT-765 (`framework-agreement` code list), as TED's `framework-agreement-lot` and the
/// eForms `cbc:ContractingSystemTypeCode listName="framework-agreement"` give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FrameworkKind {
    /// `fa-wo-rc`: a framework agreement whose call-offs follow its terms, without reopening
    /// competition.
    #[serde(rename = "fa-wo-rc")]
    WithoutReopening,
    /// `fa-w-rc`: a framework agreement whose call-offs reopen competition among its suppliers.
    #[serde(rename = "fa-w-rc")]
    WithReopening,
    /// `fa-mix`: some call-offs reopen competition, some do not.
    #[serde(rename = "fa-mix")]
    Mixed,
    /// `none`: not a framework agreement.
    #[serde(rename = "none")]
    NotFramework,
}

impl FrameworkKind {
    /// The BT-765 code, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WithoutReopening => "fa-wo-rc",
            Self::WithReopening => "fa-w-rc",
            Self::Mixed => "fa-mix",
            Self::NotFramework => "none",
        }
    }

    /// The kind named by a BT-765 code (any letter case, spaces around ignored).
    pub fn parse(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_lowercase();
        [
            Self::WithoutReopening,
            Self::WithReopening,
            Self::Mixed,
            Self::NotFramework,
        ]
        .into_iter()
        .find(|k| k.as_str() == code)
    }

    /// Whether the lot is a framework agreement of any kind.
    pub fn is_framework(self) -> bool {
        self != Self::NotFramework
    }

    /// In words, for people.
    pub fn in_words(self) -> &'static str {
        match self {
            Self::WithoutReopening => "framework agreement, call-offs without new competition",
            Self::WithReopening => "framework agreement, call-offs by mini-competition",
            Self::Mixed => "framework agreement, call-offs with or without mini-competition",
            Self::NotFramework => "not a framework agreement",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_only_none_is_no_framework() {
        for code in ["fa-wo-rc", "fa-w-rc", "fa-mix", "none"] {
            let kind = FrameworkKind::parse(code).expect("a BT-765 code");
            assert_eq!(kind.as_str(), code);
            assert_eq!(kind.is_framework(), code != "none");
        }
        assert_eq!(
            FrameworkKind::parse(" FA-WO-RC "),
            Some(FrameworkKind::WithoutReopening)
        );
        assert_eq!(FrameworkKind::parse("dps"), None);
    }
}
