//! Terraform provider for Huawei Cloud ModelArts app authentication, and a local
//! emulator of the ModelArts API it talks to.

pub mod emulator;
pub mod modelarts;
