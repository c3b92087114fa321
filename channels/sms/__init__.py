"""SMS gateways: one module per gateway, each with its webhook (inbound) and delivery (outbound)."""
