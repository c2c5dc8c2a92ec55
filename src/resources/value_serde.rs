//! Decoding `tf_provider::value::Value` fields without the cost of its untagged form.
//!
//! `Value<T>` derives an untagged `Deserialize`: every field is first copied into an
//! intermediate tree, then tried as `T`, as null, as unknown in turn, and each failed try
//! formats an error message that is thrown away. A null attribute costs one such message,
//! an unknown one two, and a refreshing plan decodes each resource's state nine times.
//! These functions look at the encoded value once and decode it straight into the
//! variant it is. They are for types `T` that never decode from null (strings, numbers,
//! booleans, lists, objects), for which the result is the untagged form's, including its
//! error message when the value fits no variant (a JSON one may name another column).

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{
    BoolDeserializer, BorrowedBytesDeserializer, BorrowedStrDeserializer, BytesDeserializer,
    F64Deserializer, I64Deserializer, MapAccessDeserializer, SeqAccessDeserializer,
    StrDeserializer, StringDeserializer, U64Deserializer,
};
use serde::de::{Error, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use tf_provider::value::Value;

/// The message of `Value`'s untagged form when the encoded value fits no variant.
const NO_VARIANT: &str = "data did not match any variant of untagged enum Value";

/// Decodes a `Value<T>` field: `#[serde(deserialize_with = "value_serde::value")]`.
///
/// Errors: the untagged form's message when the value is neither null, unknown, nor a
/// valid `T`; the decoder's own error when the encoding is broken before the value.
pub fn value<'de, D, T>(deserializer: D) -> Result<Value<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    deserializer.deserialize_any(ValueVisitor(PhantomData))
}

/// Decodes a `Value<Vec<Value<T>>>` field (a list or set attribute), each member as
/// [`value`] does.
///
/// Errors: as [`value`], for the list and for each member.
pub fn list<'de, D, T>(deserializer: D) -> Result<Value<Vec<Value<T>>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let members: Value<Vec<Member<T>>> = value(deserializer)?;
    Ok(members.map(|members| members.into_iter().map(|member| member.0).collect()))
}

/// One member of a list attribute, decoded as [`value`] does.
struct Member<T>(Value<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Member<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        value(deserializer).map(Member)
    }
}

struct ValueVisitor<T>(PhantomData<T>);

impl<T> ValueVisitor<T> {
    /// Decodes the known value `T` from a deserializer over what was seen.
    fn known<'de, D, E>(deserializer: D) -> Result<Value<T>, E>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
        E: Error,
    {
        T::deserialize(deserializer)
            .map(Value::Value)
            .map_err(|_| E::custom(NO_VARIANT))
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for ValueVisitor<T> {
    type Value = Value<T>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a Terraform value: known, null or unknown")
    }

    fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        value(deserializer)
    }

    /// MessagePack's extension type, which Terraform uses for unknown values only.
    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        IgnoredAny::deserialize(deserializer)?;
        Ok(Value::Unknown)
    }

    fn visit_bool<E: Error>(self, v: bool) -> Result<Self::Value, E> {
        Self::known(BoolDeserializer::<E>::new(v))
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<Self::Value, E> {
        Self::known(I64Deserializer::<E>::new(v))
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<Self::Value, E> {
        Self::known(U64Deserializer::<E>::new(v))
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<Self::Value, E> {
        Self::known(F64Deserializer::<E>::new(v))
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
        Self::known(StrDeserializer::<E>::new(v))
    }

    fn visit_borrowed_str<E: Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Self::known(BorrowedStrDeserializer::<E>::new(v))
    }

    fn visit_string<E: Error>(self, v: String) -> Result<Self::Value, E> {
        Self::known(StringDeserializer::<E>::new(v))
    }

    fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        Self::known(BytesDeserializer::<E>::new(v))
    }

    fn visit_borrowed_bytes<E: Error>(self, v: &'de [u8]) -> Result<Self::Value, E> {
        Self::known(BorrowedBytesDeserializer::<E>::new(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Self::known(SeqAccessDeserializer::new(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Self::known(MapAccessDeserializer::new(map))
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Fast {
        #[serde(deserialize_with = "value")]
        name: Value<String>,
        #[serde(deserialize_with = "value")]
        flag: Value<bool>,
        #[serde(deserialize_with = "list")]
        items: Value<Vec<Value<String>>>,
    }

    /// The same fields decoded by `Value`'s own untagged form.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Untagged {
        name: Value<String>,
        flag: Value<bool>,
        items: Value<Vec<Value<String>>>,
    }

    fn untagged(fast: &Fast) -> Untagged {
        Untagged {
            name: fast.name.clone(),
            flag: fast.flag,
            items: fast.items.clone(),
        }
    }

    /// Known, null and unknown values, in lists too, decode as the untagged form decodes
    /// them, from MessagePack (plan and apply) and from JSON (state upgrade).
    #[test]
    fn values_decode_as_the_untagged_form_does() {
        let cases = [
            (
                "known",
                Fast {
                    name: Value::Value("n".into()),
                    flag: Value::Value(true),
                    items: Value::Value(vec![Value::Value("a".into()), Value::Value("b".into())]),
                },
            ),
            (
                "null",
                Fast {
                    name: Value::Null,
                    flag: Value::Null,
                    items: Value::Null,
                },
            ),
            (
                "unknown",
                Fast {
                    name: Value::Unknown,
                    flag: Value::Unknown,
                    items: Value::Unknown,
                },
            ),
            (
                "unknown and null members",
                Fast {
                    name: Value::Value(String::new()),
                    flag: Value::Value(false),
                    items: Value::Value(vec![
                        Value::Unknown,
                        Value::Null,
                        Value::Value("c".into()),
                    ]),
                },
            ),
        ];
        for (name, fields) in cases {
            let packed = rmp_serde::to_vec_named(&fields).unwrap();
            let fast: Fast = rmp_serde::from_slice(&packed).unwrap();
            let slow: Untagged = rmp_serde::from_slice(&packed).unwrap();
            assert_eq!(fast, fields, "{name}: MessagePack");
            assert_eq!(untagged(&fast), slow, "{name}: MessagePack, untagged");

            if name.contains("unknown") {
                continue;
            }
            let json = serde_json::to_vec(&fields).unwrap();
            let fast: Fast = serde_json::from_slice(&json).unwrap();
            let slow: Untagged = serde_json::from_slice(&json).unwrap();
            assert_eq!(fast, fields, "{name}: JSON");
            assert_eq!(untagged(&fast), slow, "{name}: JSON");
        }
    }

    /// A value of the wrong type fails with the untagged form's message.
    #[test]
    fn a_value_of_the_wrong_type_fails_as_the_untagged_form_does() {
        let cases = [
            (
                "number for a string",
                r#"{"name": 5, "flag": null, "items": null}"#,
            ),
            (
                "string for a bool",
                r#"{"name": null, "flag": "yes", "items": null}"#,
            ),
            (
                "object for a list",
                r#"{"name": null, "flag": null, "items": {}}"#,
            ),
            (
                "number as a member",
                r#"{"name": null, "flag": null, "items": ["a", 1]}"#,
            ),
        ];
        for (name, json) in cases {
            // JSON errors end with a position, which may differ: the untagged form has
            // read the whole value before it fails.
            let message = |error: serde_json::Error| {
                let text = error.to_string();
                text.split(" at line")
                    .next()
                    .unwrap_or_default()
                    .to_string()
            };
            let slow = message(serde_json::from_str::<Untagged>(json).unwrap_err());
            let fast = message(serde_json::from_str::<Fast>(json).unwrap_err());
            assert_eq!(slow, NO_VARIANT, "{name}");
            assert_eq!(fast, slow, "{name}");

            let value: serde_json::Value = serde_json::from_str(json).unwrap();
            let packed = rmp_serde::to_vec_named(&value).unwrap();
            let slow = rmp_serde::from_slice::<Untagged>(&packed)
                .unwrap_err()
                .to_string();
            let fast = rmp_serde::from_slice::<Fast>(&packed)
                .unwrap_err()
                .to_string();
            assert_eq!(fast, slow, "{name}: MessagePack");
        }
    }
}
