from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'certifikater.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('base.html.j2', 'certifikater.html.j2')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    yield from parent_template.root_render_func(context)

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass
    yield 'Sikkerhed og certifikater – Alternativet'

def block_body(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_page = resolve('page')
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    pass
    yield '<header>\n<h1>Sikkerhed og certifikater</h1>\n<p class="lead">Alternativets privatlivspolitik lover, hvordan vi beskytter forbindelserne til vores hjemmesider og adgangen til vores servere. Her kan du se, om løfterne holder. Siden opdateres automatisk hver uge.</p>\n<p>Sidst kontrolleret: <strong>'
    yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'checked_at')))
    yield '</strong>.</p>\n</header>\n<main>\n<h2 id="loefter">Vores løfter</h2>\n<table>\n<caption>Løfterne i privatlivspolitikkens afsnit om sikkerhed, og om de holder</caption>\n<thead><tr><th scope="col">Løfte</th><th scope="col">Status</th></tr></thead>\n<tbody>\n'
    for l_1_claim in environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'claims'):
        _loop_vars = {}
        pass
        yield '<tr><td>'
        yield escape(environment.finalize(environment.getattr(l_1_claim, 'text')))
        if environment.getattr(l_1_claim, 'notes'):
            pass
            yield '<br><span class="note">'
            yield escape(environment.finalize(environment.getattr(l_1_claim, 'notes')))
            yield ' forhold kan forbedres, men løftet holder.</span>'
        yield '</td>\n<td><span class="status '
        yield escape(environment.finalize(environment.getattr(l_1_claim, 'status')))
        yield '">'
        yield escape(environment.finalize(environment.getattr(l_1_claim, 'label')))
        yield '</span></td></tr>\n'
    l_1_claim = missing
    yield '</tbody>\n</table>\n<p class="note">«Holder» betyder, at alle kontroller bag løftet bestod. «Holder ikke» betyder, at mindst én kontrol fejlede. «Kunne ikke kontrolleres» betyder, at en kontrol ikke kunne gennemføres, og at vi derfor ikke kan vise, at løftet holder.</p>\n\n<h2 id="certifikater">Certifikater</h2>\n<p>For hver af vores hjemmesider kan du se det certifikat, den sender til din browser, og sammenligne fingeraftrykket med det, din browser viser. Om løftet om TLS holder, står under «Vores løfter» ovenfor.</p>\n'
    l_1_loop = missing
    t_3 = 1
    for l_1_site, l_1_loop in LoopContext(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'sites'), undefined):
        _loop_vars = {}
        pass
        yield '<section class="card" aria-labelledby="site-'
        yield escape(environment.finalize(environment.getattr(l_1_loop, 'index')))
        yield '">\n<div class="card-head">\n<h3 id="site-'
        yield escape(environment.finalize(environment.getattr(l_1_loop, 'index')))
        yield '">'
        yield escape(environment.finalize(environment.getattr(l_1_site, 'host')))
        if environment.getattr(l_1_site, 'platform'):
            pass
            yield ' <span class="platform">('
            yield escape(environment.finalize(environment.getattr(l_1_site, 'platform')))
            yield ')</span>'
        yield '</h3>\n<span class="status '
        yield escape(environment.finalize(environment.getattr(l_1_site, 'status')))
        yield '">'
        yield escape(environment.finalize(environment.getattr(l_1_site, 'label')))
        yield '</span>\n</div>\n'
        if environment.getattr(l_1_site, 'problems'):
            pass
            yield '<p>Fejl: '
            yield escape(environment.finalize(t_1(context.eval_ctx, environment.getattr(l_1_site, 'problems'), ', ')))
            yield '.</p>'
        l_2_loop = missing
        for l_2_cert, l_2_loop in LoopContext(environment.getattr(l_1_site, 'certificates'), undefined):
            _loop_vars = {}
            pass
            yield '<table>\n<caption>Certifikat for '
            yield escape(environment.finalize(environment.getattr(l_1_site, 'host')))
            if (t_2(environment.getattr(l_1_site, 'certificates')) > 1):
                pass
                yield ' ('
                yield escape(environment.finalize(environment.getattr(l_2_loop, 'index')))
                yield ' af '
                yield escape(environment.finalize(t_2(environment.getattr(l_1_site, 'certificates'))))
                yield ')'
            yield '</caption>\n<tbody>\n<tr><th scope="row">Udstedt til</th><td>'
            yield escape(environment.finalize(environment.getattr(l_2_cert, 'subject')))
            yield '</td></tr>\n'
            if environment.getattr(l_2_cert, 'sans'):
                pass
                yield '<tr><th scope="row">Gælder for</th><td>'
                yield escape(environment.finalize(t_1(context.eval_ctx, environment.getattr(l_2_cert, 'sans'), ', ')))
                yield '</td></tr>'
            yield '<tr><th scope="row">Udstedt af</th><td>'
            yield escape(environment.finalize(environment.getattr(l_2_cert, 'issuer')))
            yield '</td></tr>\n<tr><th scope="row">Gyldigt fra</th><td>'
            yield escape(environment.finalize(environment.getattr(l_2_cert, 'valid_from')))
            yield '</td></tr>\n<tr><th scope="row">Gyldigt til</th><td>'
            yield escape(environment.finalize(environment.getattr(l_2_cert, 'valid_to')))
            yield '</td></tr>\n<tr><th scope="row">Dage tilbage</th><td>'
            yield escape(environment.finalize(environment.getattr(l_2_cert, 'days_left')))
            if environment.getattr(l_2_cert, 'expiring'):
                pass
                yield ' <span class="status warn">Fornyes snart</span>'
            yield '</td></tr>\n<tr><th scope="row">SHA-256-fingeraftryk</th><td class="mono">'
            yield escape(environment.finalize(environment.getattr(l_2_cert, 'sha256')))
            yield '</td></tr>\n<tr><th scope="row">Nøgle</th><td>'
            yield escape(environment.finalize(environment.getattr(l_2_cert, 'key')))
            yield '</td></tr>\n<tr><th scope="row">Signaturalgoritme</th><td>'
            yield escape(environment.finalize(environment.getattr(l_2_cert, 'signature')))
            yield '</td></tr>\n</tbody>\n</table>\n'
        l_2_loop = l_2_cert = missing
        yield '<table>\n<caption>Forbindelsen til '
        yield escape(environment.finalize(environment.getattr(l_1_site, 'host')))
        yield '</caption>\n<tbody>\n<tr><th scope="row">TLS-versioner</th><td>'
        yield escape(environment.finalize(environment.getattr(l_1_site, 'tls_versions')))
        yield '</td></tr>\n<tr><th scope="row">http:// sender videre til https://</th><td>'
        yield escape(environment.finalize(environment.getattr(l_1_site, 'redirect')))
        yield '</td></tr>\n<tr><th scope="row">HSTS</th><td>'
        yield escape(environment.finalize(environment.getattr(l_1_site, 'hsts')))
        yield '</td></tr>\n</tbody>\n</table>\n</section>\n'
        t_3 = 0
    l_1_loop = l_1_site = missing
    if t_3:
        pass
        yield '<p>Ingen hjemmesider blev kontrolleret.</p>\n'
    yield '</main>\n<footer>\n<p>Siden er lavet af et automatisk tjek, der kører hver uge. Den viser kun offentlige oplysninger: det, enhver browser kan se, når den besøger hjemmesiderne.</p>\n</footer>\n'

blocks = {'title': block_title, 'body': block_body}
debug_info = '1=12&2=17&3=27&7=49&15=51&16=55&17=62&25=70&26=74&28=76&29=85&31=89&32=95&34=99&36=108&37=110&38=116&39=118&40=120&41=122&42=127&43=129&44=131&49=135&51=137&52=139&53=141'