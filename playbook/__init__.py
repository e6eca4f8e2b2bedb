"""playbook: a sales playbook as YAML in git, compiled into a searchable site."""

__version__ = "0.1.0"
