"""The only writers of village affairs: one module per family (`boards`, `items`, …); callers
import the module (`from minsheng.villages.services import items`). Each function locks, asks
`villages.rules`, validates, writes, and records an `Event` in one transaction."""
