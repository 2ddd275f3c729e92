from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'adgang.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    l_0_table = missing
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    pass
    parent_template = environment.get_template('base.html.j2', 'adgang.html.j2')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    def macro(l_1_caption, l_1_headers, l_1_rows, l_1_verdict_header):
        t_2 = []
        if l_1_caption is missing:
            l_1_caption = undefined("parameter 'caption' was not provided", name='caption')
        if l_1_headers is missing:
            l_1_headers = undefined("parameter 'headers' was not provided", name='headers')
        if l_1_rows is missing:
            l_1_rows = undefined("parameter 'rows' was not provided", name='rows')
        if l_1_verdict_header is missing:
            l_1_verdict_header = 'Vurdering'
        pass
        t_2.extend((
            '<section class="scroll" aria-label="',
            escape(environment.finalize(l_1_caption)),
            '" tabindex="0">\n<table>\n<caption>',
            escape(environment.finalize(l_1_caption)),
            '</caption>\n<thead><tr>',
        ))
        for l_2_h in l_1_headers:
            _loop_vars = {}
            pass
            t_2.extend((
                '<th scope="col">',
                escape(environment.finalize(l_2_h)),
                '</th>',
            ))
        l_2_h = missing
        t_2.extend((
            '<th scope="col">',
            escape(environment.finalize(l_1_verdict_header)),
            '</th></tr></thead>\n<tbody>\n',
        ))
        l_2_loop = missing
        t_3 = 1
        for l_2_row, l_2_loop in LoopContext(l_1_rows, undefined):
            _loop_vars = {}
            pass
            t_2.append(
                '<tr>',
            )
            l_3_loop = missing
            for l_3_cell, l_3_loop in LoopContext(environment.getattr(l_2_row, 'cells'), undefined):
                _loop_vars = {}
                pass
                t_2.append(
                    '<td',
                )
                if (context.call(environment.getattr(l_3_cell, 'startswith'), 'SHA256:', _loop_vars=_loop_vars) or context.call(environment.getattr(l_3_cell, 'startswith'), 'MD5:', _loop_vars=_loop_vars)):
                    pass
                    t_2.append(
                        ' class="mono"',
                    )
                if (environment.getattr(l_3_loop, 'index0') in environment.getattr(l_2_row, 'english')):
                    pass
                    t_2.append(
                        ' lang="en"',
                    )
                t_2.extend((
                    '>',
                    escape(environment.finalize(l_3_cell)),
                    '</td>',
                ))
            l_3_loop = l_3_cell = missing
            t_2.append(
                '<td>',
            )
            if environment.getattr(l_2_row, 'verdict'):
                pass
                t_2.extend((
                    '<span class="status ',
                    escape(environment.finalize(environment.getattr(l_2_row, 'status'))),
                    '"',
                ))
                if environment.getattr(l_2_row, 'english_verdict'):
                    pass
                    t_2.append(
                        ' lang="en"',
                    )
                t_2.extend((
                    '>',
                    escape(environment.finalize(environment.getattr(l_2_row, 'verdict'))),
                    '</span>',
                ))
            else:
                pass
                t_2.append(
                    '-',
                )
            t_2.append(
                '</td></tr>\n',
            )
            t_3 = 0
        l_2_loop = l_2_row = missing
        if t_3:
            pass
            t_2.extend((
                '<tr><td colspan="',
                escape(environment.finalize((t_1(l_1_headers) + 1))),
                '">Intet at vise.</td></tr>\n',
            ))
        t_2.append(
            '</tbody>\n</table>\n</section>\n',
        )
        return concat(t_2)
    context.exported_vars.add('table')
    context.vars['table'] = l_0_table = Macro(environment, macro, 'table', ('caption', 'headers', 'rows', 'verdict_header'), False, False, False, context.eval_ctx.autoescape)
    yield from parent_template.root_render_func(context)

def block_body_class(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass
    yield 'wide'

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass
    yield 'Adgang og sikkerhed (intern) – Alternativet'

def block_body(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_page = resolve('page')
    l_0_table = resolve('table')
    try:
        t_4 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '<header>\n<h1>Adgang og sikkerhed</h1>\n<p class="lead">Intern side for Landssekretariatet: hvem kan åbne hvilken server, hvordan man logger ind, hvor serverne står, og hvad der har ændret sig. Må ikke offentliggøres.</p>\n<p>Kontrolleret: <strong>'
    yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'checked_at')))
    yield '</strong>. Konfiguration: <span class="mono">'
    yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'config')))
    yield '</span>.</p>\n<p>'
    l_1_loop = missing
    for (l_1_label, l_1_count), l_1_loop in LoopContext(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'counts'), undefined):
        _loop_vars = {}
        pass
        yield escape(environment.finalize(l_1_label))
        yield ': <strong>'
        yield escape(environment.finalize(l_1_count))
        yield '</strong>'
        if (not environment.getattr(l_1_loop, 'last')):
            pass
            yield ' · '
    l_1_loop = l_1_label = l_1_count = missing
    yield '</p>\n</header>\n<main>\n<h2 id="loefter">Løfter</h2>\n'
    yield escape(environment.finalize(context.call((undefined(name='table') if l_0_table is missing else l_0_table), 'Løfterne og deres status', ['Løfte', 'Bemærkninger'], environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'claims'), 'Status', _block_vars=_block_vars)))
    yield '\n\n<h2 id="aendringer">Ændringer siden sidste kørsel</h2>\n'
    if t_4(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'changes')):
        pass
        yield '<p>Ingen tidligere kørsel at sammenligne med.</p>\n'
    elif (not environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'changes')):
        pass
        yield '<p>Intet har ændret sig siden sidste kørsel.</p>\n'
    else:
        pass
        yield '<section class="scroll" aria-label="Ændringer" tabindex="0">\n<table>\n<caption>Hvad der er ændret siden sidste kørsel</caption>\n<thead><tr><th scope="col">Ændring</th><th scope="col">Hvor</th><th scope="col">Før</th><th scope="col">Nu</th></tr></thead>\n<tbody>\n'
        l_1_loop = missing
        for l_1_row, l_1_loop in LoopContext(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'changes'), undefined):
            _loop_vars = {}
            pass
            yield '<tr>'
            l_2_loop = missing
            for l_2_cell, l_2_loop in LoopContext(environment.getattr(l_1_row, 'cells'), undefined):
                _loop_vars = {}
                pass
                yield '<td'
                if (environment.getattr(l_2_loop, 'index0') in environment.getattr(l_1_row, 'english')):
                    pass
                    yield ' lang="en"'
                yield '>'
                yield escape(environment.finalize(l_2_cell))
                yield '</td>'
            l_2_loop = l_2_cell = missing
            yield '</tr>\n'
        l_1_loop = l_1_row = missing
        yield '</tbody>\n</table>\n</section>\n'
    yield '\n<h2 id="noegler">Hvem kan åbne hvilken server</h2>\n<p>Hver nøgle, der giver adgang, med ukendte og svage nøgler først. «Fundet» viser server, bruger, fil og linje, og nøglens kommentar.</p>\n'
    yield escape(environment.finalize(context.call((undefined(name='table') if l_0_table is missing else l_0_table), 'Nøgleindehavere', ['Person', 'Team', 'Nøgle', 'Fingeraftryk', 'Fundet'], environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'holders'), _block_vars=_block_vars)))
    yield '\n\n<h2 id="servere">Servere og login-metoder</h2>\n'
    yield escape(environment.finalize(context.call((undefined(name='table') if l_0_table is missing else l_0_table), 'SSH-servere: login-metoder pr. bruger', ['Server', 'Version', 'Metoder pr. bruger', 'Værtsnøgler', 'Nøgler læst'], environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'servers'), _block_vars=_block_vars)))
    yield '\n\n<h2 id="digitalocean">DigitalOcean</h2>\n'
    yield escape(environment.finalize(context.call((undefined(name='table') if l_0_table is missing else l_0_table), 'Droplets, load balancers og reserverede IP-adresser', ['Navn', 'Type', 'Region', 'Adresser', 'Firewall', 'Backup/overvågning'], environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'cloud'), _block_vars=_block_vars)))
    yield '\n\n<h2 id="fund">Alle fund</h2>\n'
    yield escape(environment.finalize(context.call((undefined(name='table') if l_0_table is missing else l_0_table), 'Alle kontroller, fejl først', ['Mål', 'Kontrol', 'Id', 'Alvor', 'Besked'], environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'findings'), 'Status', _block_vars=_block_vars)))
    yield '\n</main>\n<footer><p>Lavet af auditor. Siden indeholder interne oplysninger (adresser, nøgleindehavere, kommentarer).</p></footer>\n'

blocks = {'body_class': block_body_class, 'title': block_title, 'body': block_body}
debug_info = '1=19&2=22&3=35&5=37&6=40&8=56&9=63&10=88&12=119&18=130&19=140&20=150&24=167&25=172&29=184&32=186&34=189&42=196&43=201&52=216&55=218&58=220&61=222'