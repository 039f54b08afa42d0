"""One line describing the machine a benchmark ran on, for its report."""

import os
import platform

import numpy as np


def describe_machine():
    """CPU model, logical CPUs, Python, NumPy and the BLAS NumPy was built with."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(
                line.split(":", 1)[1].strip()
                for line in info
                if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs, Python {platform.python_version()}, "
        f"NumPy {np.__version__} ({blas.get('name')} {blas.get('version', '')})"
    )
