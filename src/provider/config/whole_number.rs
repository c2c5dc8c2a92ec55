//! Settings that take a whole number within a range (`max_retries`,
//! `max_apps_per_call`, `read_lag_seconds`): the attribute, else the environment
//! variable, else the default, and a diagnostic naming the attribute for anything else.

use tf_provider::value::Value;

use super::{ConfigProblem, DEFAULT_MAX_RETRIES};
use crate::modelarts::MAX_APPS_PER_CALL;
use crate::provider::location::Source;
use crate::resources::app_auth_api::recent::GRACE_WINDOW;

/// A setting that takes a whole number within a range: the attribute, else its
/// environment variable, else the default.
pub(super) struct WholeNumber {
    attribute: &'static str,
    env_name: &'static str,
    summary: &'static str,
    min: u32,
    max: u32,
    default: u32,
    /// What the number means, ending the detail of a refused value.
    meaning: &'static str,
}

pub(super) const MAX_RETRIES: WholeNumber = WholeNumber {
    attribute: "max_retries",
    env_name: "HW_MAX_RETRIES",
    summary: "Invalid max_retries",
    min: 0,
    max: u32::MAX,
    default: DEFAULT_MAX_RETRIES,
    meaning: "",
};

pub(super) const APPS_PER_CALL: WholeNumber = WholeNumber {
    attribute: "max_apps_per_call",
    env_name: "MODELARTS_MAX_APPS_PER_CALL",
    summary: "Invalid max_apps_per_call",
    min: 1,
    max: MAX_APPS_PER_CALL as u32,
    default: MAX_APPS_PER_CALL as u32,
    meaning: " It is the most apps one authorize or cancel call carries; unset, it is \
              the service's documented limit of 100. Set it lower only when your region \
              or account allows fewer.",
};

pub(super) const READ_LAG: WholeNumber = WholeNumber {
    attribute: "read_lag_seconds",
    env_name: "MODELARTS_READ_LAG_SECONDS",
    summary: "Invalid read_lag_seconds",
    min: 0,
    max: 300,
    default: GRACE_WINDOW.as_secs() as u32,
    meaning: " It is how long after an apply a refresh keeps re-reading an API whose \
              answer does not show that apply yet; unset, it is 10.",
};

impl WholeNumber {
    pub(super) fn resolve(
        &self,
        value: &Value<f64>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<u32, ConfigProblem> {
        if let Value::Value(number) = value {
            return self.check(*number, Source::Attribute);
        }
        let Some(text) = env(self.env_name).filter(|v| !v.is_empty()) else {
            return Ok(self.default);
        };
        let source = Source::Env(self.env_name);
        match text.trim().parse::<f64>() {
            Ok(number) if number.is_finite() => self.check(number, source),
            _ => Err(self.problem(format!("{text:?}, which is not a number"), source)),
        }
    }

    pub(super) fn check(&self, value: f64, source: Source) -> Result<u32, ConfigProblem> {
        if value.fract() == 0.0 && (f64::from(self.min)..=f64::from(self.max)).contains(&value) {
            // Whole and in range, so the conversion is exact.
            Ok(value as u32)
        } else {
            Err(self.problem(value.to_string(), source))
        }
    }

    fn problem(&self, what: String, source: Source) -> ConfigProblem {
        ConfigProblem::error(
            Some(self.attribute),
            self.summary,
            format!(
                "{} is {what}. Set it to a whole number from {} to {}.{}",
                source.describe(self.attribute),
                self.min,
                self.max,
                self.meaning
            ),
        )
    }
}
