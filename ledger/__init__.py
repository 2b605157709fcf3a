"""The ledger (台账) as a spreadsheet: the .xlsx export of projects, progress and problems."""
