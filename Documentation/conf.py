# SPDX-License-Identifier: GPL-2.0
#
# Sphinx configuration of the axaddrspace documentation, in the style of the
# kernel's own Documentation/conf.py: kernel-doc comments are pulled in with
# the kernel's kerneldoc extension and scripts/kernel-doc. Build it with
# "make htmldocs" (scripts/htmldocs.sh), which sets AXAS_KSRC to a kernel
# source tree (default: the unpacked linux-source-6.1 of make check).
import os
import re
import sys

import sphinx

top = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
ksrc = os.environ.get('AXAS_KSRC')
if not ksrc or not os.path.isfile(os.path.join(ksrc, 'Documentation', 'sphinx', 'kerneldoc.py')):
    sys.exit('conf.py: set AXAS_KSRC to a kernel source tree (or run make htmldocs)')
sys.path.insert(0, os.path.join(ksrc, 'Documentation', 'sphinx'))

project = 'axaddrspace'
copyright = 'The axaddrspace developers'
author = 'The axaddrspace developers'
with open(os.path.join(top, 'src', 'dev.c')) as f:
    m = re.search(r'MODULE_VERSION\("([^"]+)"\)', f.read())
version = release = m.group(1) if m else 'unknown'

needs_sphinx = '3.0'
extensions = ['kerneldoc', 'rstFlatTable']
kerneldoc_bin = os.path.join(ksrc, 'scripts', 'kernel-doc')
kerneldoc_srctree = top

master_doc = 'index'
exclude_patterns = ['output']
primary_domain = 'c'
highlight_language = 'none'
pygments_style = 'sphinx'

# Kernel attributes that Sphinx's C parser does not know (as the kernel's
# conf.py lists them).
c_id_attributes = ['__iomem', '__user', '__rcu', '__percpu', '__must_check',
                   '__always_inline', '__maybe_unused', 'noinline', 'inline']
c_paren_attributes = ['__aligned', '__printf', '__section']

html_theme = 'alabaster'
try:
    import sphinx_rtd_theme  # noqa: F401
    html_theme = 'sphinx_rtd_theme'
except ImportError:
    pass
html_title = 'axaddrspace %s' % release
html_static_path = []
