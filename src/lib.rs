//! Terraform provider for Huawei Cloud ModelArts app authentication, and a local
//! emulator of the ModelArts API it talks to.

pub mod data_sources;
pub mod diagnostics;
pub mod emulator;
pub mod logging;
pub mod modelarts;
pub mod provider;
pub mod resources;
pub mod stop;
