"""The wire: reading what a BAP's message asks for, and building the JSON of our replies.

Pure shaping over the order, the network's models and the commerce result types
(`beckn.commerce_types`); nothing here prices, queries offers or writes. The handlers and
services call down into it, and it imports neither.
"""
