//! Starts the emulator binary on a free port and drives its control API.
