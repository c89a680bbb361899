# Home Assistant 2026.x replaces voluptuous with probatio at import time (probatio.compat), so on
# those versions `import voluptuous` gives probatio's voluptuous surface. This stub tells mypy the
# same; scripts/test puts it on MYPYPATH only where probatio is installed.
from probatio import *  # noqa: F403
