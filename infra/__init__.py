"""The local stack: moto (DynamoDB, SQS), the API behind an HTTP adapter and an SQS poller
feeding the worker, all on 127.0.0.1. Run with ``python -m infra.local``."""
