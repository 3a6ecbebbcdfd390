% # The last directory sync or import: what it read, changed and found wrong; and the "sync now" button.
% rebase('base.tpl', title=_('Organisation'), nav='/directory', refresh=None)
% from datetime import datetime
% def local(t):
%   return fmt_iso(datetime.fromtimestamp(t, tz).isoformat())
% end
<p class="small"><a href="/directory">← {{_('Organisation')}}</a></p>
<h1>{{_('Directory sync')}}</h1>
% if get('error'):
<p class="banner warn">{{error}}</p>
% end
% if may_sync:
<form method="post" action="/directory/sync" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <button type="submit">{{_('Sync now')}}</button> <span class="muted small">{{_('Reads every configured source ([ldap], [directory] csv) and applies the differences as of now.')}}</span>
</form>
% end
% if report is None:
<p class="muted">{{_('No sync or import has run yet.')}}</p>
% else:
% kinds = {'sync': _('Last sync at {time}'), 'import': _('Last import at {time}')}
% sources = ', '.join(s if n is None else ngettext('{source} {n} person', '{source} {n} people', n).format(source=s, n=fmt_number(n)) for s, n in report['sources'].items())
<p class="banner {{'ok' if report['applied'] and not report['problems'] else 'warn'}}">
  {{((_('This import at {time}') if report['kind'] == 'import' else _('This sync at {time}')) if ran else kinds.get(report['kind'], _('Last sync at {time}'))).format(time=local(report['at_utc']))}}:
  {{sources or _('no source read')}};
  {{_('applied') if report['applied'] else _('nothing changed')}};
  {{ngettext('{n} change', '{n} changes', len(report['changes'])).format(n=fmt_number(len(report['changes'])))}}, {{ngettext('{n} problem', '{n} problems', len(report['problems'])).format(n=fmt_number(len(report['problems'])))}}.</p>
<h2>{{_('Problems ({n})').format(n=fmt_number(len(report['problems'])))}}</h2>
% if report['problems']:
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{pgettext('directory change', 'Kind')}}</th><th>{{_('Tenant')}}</th><th>{{_('Problem')}}</th></tr></thead>
  <tbody>
% for p in report['problems']:
    <tr><td>{{kind_text(p['kind'])}}</td><td>{{p['tenant']}}</td><td class="text">{{problem_text(p, tz)}}</td></tr>
% end
  </tbody>
</table></div>
% else:
<p class="muted">{{_('None.')}}</p>
% end
<h2>{{_('Changes ({n})').format(n=fmt_number(len(report['changes'])))}}</h2>
% if report['changes']:
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{_('Change')}}</th><th>{{_('Tenant')}}</th><th>{{_('Id')}}</th><th>{{_('Name')}}</th><th>{{_('Detail')}}</th></tr></thead>
  <tbody>
% for c in report['changes']:
    <tr><td>{{kind_text(c['kind'])}}</td><td>{{c['tenant']}}</td><td>{{c['person_id']}}</td><td>{{c['name']}}</td><td class="text">{{change_text(c, tz)}}</td></tr>
% end
  </tbody>
</table></div>
% else:
<p class="muted">{{_('None.')}}</p>
% end
% end
