from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'base.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    pass
    yield '<!DOCTYPE html>\n<html lang="da">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="referrer" content="no-referrer">\n<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">\n<title>'
    yield from context.blocks['title'][0](context)
    yield '</title>\n<style>\n:root { color-scheme: light; --ink: #1b1f23; --muted: #4a5560; --line: #d5dbe1; --bg: #ffffff;\n  --panel: #f5f7f9; --pass: #0b5d2a; --pass-bg: #e3f2e8; --fail: #8a1414; --fail-bg: #fbe5e5;\n  --error: #6b4a00; --error-bg: #fff3cd; --skip: #3d4650; --skip-bg: #eceff2; --accent: #2b5a2f; }\n* { box-sizing: border-box; }\nbody { margin: 0; font: 1rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;\n  color: var(--ink); background: var(--bg); }\nheader, main, footer { max-width: 62rem; margin: 0 auto; padding: 0 1rem; }\nheader { padding-top: 2rem; padding-bottom: 1rem; border-bottom: 4px solid var(--accent); }\nh1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 .5rem; }\nh2 { font-size: 1.35rem; margin: 2.25rem 0 .75rem; }\nh3 { font-size: 1.1rem; margin: 0 0 .5rem; overflow-wrap: anywhere; }\np { margin: .5rem 0; max-width: 44rem; }\n.lead { color: var(--muted); }\na { color: #1d4f91; }\ntable { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .95rem; }\ncaption { text-align: left; font-weight: 600; padding: .25rem 0 .5rem; color: var(--muted); }\nth, td { text-align: left; vertical-align: top; padding: .45rem .6rem; border-bottom: 1px solid var(--line);\n  overflow-wrap: break-word; hyphens: auto; white-space: pre-line; }\n/* A value (a fingerprint, an attacker\'s 200-character subject) may break anywhere rather\n   than push the page wider than a phone. */\ntd { overflow-wrap: anywhere; }\nthead th { background: var(--panel); font-weight: 600; }\nth[scope="row"] { width: 34%; font-weight: 600; color: var(--muted); }\n.mono { overflow-wrap: anywhere; font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .85rem; }\n.status { display: inline-block; padding: .1rem .55rem; border-radius: .3rem; font-weight: 700; font-size: .9rem;\n  border: 1px solid currentColor; white-space: nowrap; }\n.status.pass { color: var(--pass); background: var(--pass-bg); }\n.status.warn { color: var(--error); background: var(--error-bg); }\n.status.fail { color: var(--fail); background: var(--fail-bg); }\n.status.error { color: var(--error); background: var(--error-bg); }\n.status.skipped { color: var(--skip); background: var(--skip-bg); }\n.card { border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; margin: 1rem 0; background: var(--bg); }\n.card-head { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: baseline; justify-content: space-between; }\n.platform { color: var(--muted); font-size: .95rem; }\n.scroll { overflow-x: auto; }\n.wide header, .wide main, .wide footer { max-width: 84rem; }\n.note { color: var(--muted); font-size: .9rem; }\nfooter { color: var(--muted); font-size: .9rem; padding-top: 1.5rem; padding-bottom: 2rem; border-top: 1px solid var(--line); margin-top: 2rem; }\n@media (max-width: 40rem) { h1 { font-size: 1.45rem; } th[scope="row"] { width: 42%; } table { font-size: .9rem; } }\n@media print { .status { border: 1px solid #000; } }\n</style>\n</head>\n<body class="'
    yield from context.blocks['body_class'][0](context)
    yield '">\n'
    yield from context.blocks['body'][0](context)
    yield '</body>\n</html>'

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass

def block_body_class(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass

def block_body(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass

blocks = {'title': block_title, 'body_class': block_body_class, 'body': block_body}
debug_info = '8=12&52=14&53=16&8=19&52=28&53=37'