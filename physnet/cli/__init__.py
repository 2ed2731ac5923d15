"""The ``physnet`` command line. The only part of physnet that imports ``video``."""
