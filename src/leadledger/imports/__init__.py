"""Importing what an office already keeps in Excel: visit registers and customer lists."""
