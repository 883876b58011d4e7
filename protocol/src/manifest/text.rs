//! Translatable text: a plain string (the default language's text) or a table of language
//! code → text, e.g. `{ en = "Tallinn", et = "Tallinn", th = "ทาลลินน์" }`.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A name or title in the default language, with optional translations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    default: String,
    /// Translations into the other declared languages (never the default language).
    translations: BTreeMap<String, String>,
}

impl Text {
    /// The text in `lang`, or in the manifest's default language when there is no
    /// translation into `lang`.
    pub fn get(&self, lang: &str) -> &str {
        self.translations.get(lang).unwrap_or(&self.default)
    }

    /// The text in the manifest's default language.
    pub fn default_text(&self) -> &str {
        &self.default
    }

    /// The languages this text has a translation for, besides the default language.
    pub fn translated_languages(&self) -> impl Iterator<Item = &str> {
        self.translations.keys().map(String::as_str)
    }

    pub(crate) fn new(default: String, translations: BTreeMap<String, String>) -> Self {
        Text {
            default,
            translations,
        }
    }

    /// Back to the written form: a plain string when there is no translation.
    pub(crate) fn to_raw(&self, default_language: &str) -> RawText {
        if self.translations.is_empty() {
            return RawText::Plain(self.default.clone());
        }
        let mut all = self.translations.clone();
        all.insert(default_language.to_owned(), self.default.clone());
        RawText::Translated(all)
    }
}

/// Text as written in the manifest, before its languages are checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawText {
    Plain(String),
    Translated(BTreeMap<String, String>),
}

impl<'de> Deserialize<'de> for RawText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RawTextVisitor;

        impl<'de> Visitor<'de> for RawTextVisitor {
            type Value = RawText;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, or a table of language code = \"text\"")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawText, E> {
                Ok(RawText::Plain(v.to_owned()))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawText, A::Error> {
                let mut all = BTreeMap::new();
                while let Some((lang, text)) = map.next_entry::<String, String>()? {
                    if all.contains_key(&lang) {
                        return Err(de::Error::custom(format!("language `{lang}` given twice")));
                    }
                    all.insert(lang, text);
                }
                Ok(RawText::Translated(all))
            }
        }

        deserializer.deserialize_any(RawTextVisitor)
    }
}

impl Serialize for RawText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            RawText::Plain(s) => serializer.serialize_str(s),
            RawText::Translated(all) => all.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_default_language() {
        let t = Text::new(
            "Tallinn".into(),
            BTreeMap::from([("th".to_owned(), "ทาลลินน์".to_owned())]),
        );
        assert_eq!(t.get("th"), "ทาลลินน์");
        assert_eq!(t.get("et"), "Tallinn");
        assert_eq!(t.get("en"), "Tallinn");
        assert_eq!(t.translated_languages().collect::<Vec<_>>(), ["th"]);
    }

    #[test]
    fn plain_text_stays_plain() {
        let t = Text::new("X".into(), BTreeMap::new());
        assert_eq!(t.to_raw("en"), RawText::Plain("X".into()));
    }
}
