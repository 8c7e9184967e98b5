# SPDX-License-Identifier: GPL-2.0-or-later
"""Sphinx directive ``.. mpk-program:: NAME``: a program's own help.

Renders the summary, synopsis, description, options and examples that
tools/proghelp.py reads from progs/NAME.py (its docstring and argparse
parser), the same text ``help NAME`` shows in crash.
"""

import os

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList

import proghelp

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

__all__ = ['ProgramDirective', 'setup']


class ProgramDirective(Directive):
    """The help of one bundled program, from its parser and docstring."""

    required_arguments = 1

    def run(self):
        """Return the nodes of the program's help."""
        name = self.arguments[0]
        path = os.path.join(TOP, 'progs', name + '.py')
        self.state.document.settings.record_dependencies.add(path)
        try:
            help_ = proghelp.load_help(path)
        except proghelp.HelpError as exc:
            raise self.error(str(exc))
        out = [nodes.paragraph(text=help_.summary)]
        out.append(nodes.rubric(text='Synopsis'))
        out.append(nodes.literal_block(text='%s %s' % (name, help_.usage)))
        out.append(nodes.rubric(text='Description'))
        out += self._rest(help_.description)
        out.append(nodes.rubric(text='Options'))
        out.append(nodes.literal_block(text=help_.options))
        if help_.epilog:
            out.append(nodes.paragraph(text=help_.epilog))
        if help_.examples:
            out.append(nodes.rubric(text='Examples'))
            out.append(nodes.literal_block(
                text='\n'.join('crash> ' + line if line.strip() else ''
                               for line in help_.examples)))
        return out

    def _rest(self, text):
        """Parse text (reST, as the docstring is written) into nodes."""
        holder = nodes.container()
        self.state.nested_parse(StringList(text.splitlines(),
                                           source=self.arguments[0]),
                                self.content_offset, holder)
        return holder.children


def setup(app):
    """Register the directive."""
    app.add_directive('mpk-program', ProgramDirective)
    return {'version': '1', 'parallel_read_safe': True}
