"""The data hub: canonical records of every channel, carrier and payment provider."""
