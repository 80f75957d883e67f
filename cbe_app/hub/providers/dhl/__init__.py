"""DHL Express MyDHL API: tracking and shipment-creation responses as shipments."""
