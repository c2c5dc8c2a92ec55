//! A resource state as Terraform sends it, decoded strictly: an object with string
//! attribute names, null, or unknown. Serde's derived structs would also accept a list
//! (fields by position) and numeric keys (fields by index), silently turning garbage into
//! a plausible state.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tf_provider::value::Value;

/// A null, unknown or known object state, encoded like `Value<T>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strict<T>(pub Value<T>);

impl<T: Serialize> Serialize for Strict<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Strict<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(StateVisitor(PhantomData))
            .map(Strict)
    }
}

struct StateVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for StateVisitor<T> {
    type Value = Value<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with string attribute names, null, or unknown")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value<T>, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value<T>, E> {
        Ok(Value::Null)
    }

    // Terraform's unknown value is a msgpack extension, which the decoder presents as a
    // newtype struct.
    fn visit_newtype_struct<D: Deserializer<'de>>(self, inner: D) -> Result<Value<T>, D::Error> {
        IgnoredAny::deserialize(inner)?;
        Ok(Value::Unknown)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value<T>, A::Error> {
        T::deserialize(MapAccessDeserializer::new(StringKeys(map))).map(Value::Value)
    }
}

/// A map whose keys must be strings.
struct StringKeys<A>(A);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for StringKeys<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(StringKeySeed(seed))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.0.next_value_seed(seed)
    }
}

struct StringKeySeed<K>(K);

impl<'de, K: DeserializeSeed<'de>> DeserializeSeed<'de> for StringKeySeed<K> {
    type Value = K::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<K::Value, D::Error> {
        let name = String::deserialize(deserializer)?;
        self.0
            .deserialize(de::value::StringDeserializer::<D::Error>::new(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
    #[serde(default)]
    struct Pair {
        a: Value<String>,
        b: Value<String>,
    }

    fn decode(value: &impl Serialize) -> Result<Value<Pair>, String> {
        let bytes = rmp_serde::to_vec_named(value).unwrap();
        rmp_serde::from_slice::<Strict<Pair>>(&bytes)
            .map(|s| s.0)
            .map_err(|e| e.to_string())
    }

    /// Objects, null and unknown decode; lists and numeric keys are refused.
    #[test]
    fn only_objects_null_and_unknown_decode() {
        let object = || Pair {
            a: Value::Value("x".into()),
            b: Value::Unknown,
        };
        assert_eq!(decode(&object()), Ok(Value::Value(object())));
        assert_eq!(decode(&()), Ok(Value::Null));
        assert_eq!(decode(&Value::<Pair>::Unknown), Ok(Value::Unknown));
        assert!(decode(&vec!["x", "y"]).is_err(), "a list");
        let numeric: std::collections::BTreeMap<u8, &str> = [(1, "x")].into_iter().collect();
        assert!(decode(&numeric).is_err(), "numeric keys");
        assert!(decode(&"text").is_err(), "a string");
    }
}
