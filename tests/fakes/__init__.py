"""Test doubles shared by the test modules: a scripted ``Delivery`` and a fake SMS gateway."""
