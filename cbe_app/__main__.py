"""`python -m cbe_app …`: the operator's command line."""

from cbe_app.cli import main

if __name__ == "__main__":
    main()
