"""One package per provider: `client` (HTTP), `mapper` (pure), `sandbox` (local emulator)."""
