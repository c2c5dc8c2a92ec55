//! The ModelArts app-authentication API: request signing, and (with the client) one
//! function per operation.

pub mod signing;
