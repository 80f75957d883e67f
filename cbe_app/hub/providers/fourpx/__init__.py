"""4PX open platform: tracking, consignment and order-creation responses as shipments."""
