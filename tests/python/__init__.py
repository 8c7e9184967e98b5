# Makes tests/python importable for "unittest discover -s tests/python -t .".
