"""FedEx Track API: tracking responses as shipments."""
