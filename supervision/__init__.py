"""Fund supervision: the tamper-evident log, signed checkpoints, verification and audit reports."""
