"""The platform's public API: a module per API, shared field rules and the result codes."""
