"""python -m benchmarks [--quick] [--isolate] [--threads N] [--only TEXT ...]: run the matrix (--help for more)."""
import sys

if __name__ == "__main__":  # a spawned worker imports this module under another name: it must not run the matrix
    from .environment import pin_threads, threads_from_argv

    pin_threads(threads_from_argv(sys.argv[1:]))  # before NumPy loads OpenBLAS
    from .matrix import main

    main()
