"""Local sandboxes: HTTP servers speaking each provider's API, serving the demo business."""
