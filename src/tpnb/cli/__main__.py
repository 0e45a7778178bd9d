"""`python -m tpnb.cli`: the same as the `tpnb` command."""

from tpnb.cli import main

main()
