% # The last directory sync or import: what it read, changed and found wrong; and the "sync now" button.
% rebase('base.tpl', title='Organisation', refresh=None)
% from datetime import datetime
% def local(t):
%   return datetime.fromtimestamp(t, tz).strftime('%Y-%m-%d %H:%M:%S')
% end
<p class="small"><a href="/directory">← Organisation</a></p>
<h1>Directory sync</h1>
% if get('error'):
<p class="banner warn">{{error}}</p>
% end
<form method="post" action="/directory/sync" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <button type="submit">Sync now</button> <span class="muted small">Reads every configured source ([ldap], [directory] csv) and applies the differences as of now.</span>
</form>
% if report is None:
<p class="muted">No sync or import has run yet.</p>
% else:
<p class="banner {{'ok' if report['applied'] and not report['problems'] else 'warn'}}">
  {{'This sync' if ran else 'Last ' + report['kind']}} at {{local(report['at_utc'])}}:
  {{', '.join(f'{s} {n} people' for s, n in report['sources'].items()) or 'no source read'}};
  {{'applied' if report['applied'] else 'nothing changed'}};
  {{len(report['changes'])}} changes, {{len(report['problems'])}} problems.</p>
<h2>Problems ({{len(report['problems'])}})</h2>
% if report['problems']:
<div class="scroll"><table>
  <thead><tr><th>Kind</th><th>Tenant</th><th>Problem</th></tr></thead>
  <tbody>
% for p in report['problems']:
    <tr><td>{{p['kind']}}</td><td>{{p['tenant']}}</td><td>{{p['message']}}</td></tr>
% end
  </tbody>
</table></div>
% else:
<p class="muted">None.</p>
% end
<h2>Changes ({{len(report['changes'])}})</h2>
% if report['changes']:
<div class="scroll"><table>
  <thead><tr><th>Change</th><th>Tenant</th><th>Id</th><th>Name</th><th>Detail</th></tr></thead>
  <tbody>
% for c in report['changes']:
    <tr><td>{{c['kind']}}</td><td>{{c['tenant']}}</td><td>{{c['person_id']}}</td><td>{{c['name']}}</td><td>{{c['detail']}}</td></tr>
% end
  </tbody>
</table></div>
% else:
<p class="muted">None.</p>
% end
% end
