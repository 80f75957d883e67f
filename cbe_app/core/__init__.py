"""Pure building blocks shared by every capability: no database, no Reflex, no network, no clock."""
