"""PDF documents built with reportlab; imports no Qt.

The orientation summary (bilan) and the internship agreement documents live here.
"""
