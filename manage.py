#!/usr/bin/env python
from yuqing.cli import main

if __name__ == "__main__":
    main()
