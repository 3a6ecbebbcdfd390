% # The tenant's organisation now: branches > departments > people with their extensions. Values escaped by {{ }}.
% rebase('base.tpl', title=_('Organisation'), nav='/directory', refresh=None)
<h1>{{_('Organisation')}}{{' · ' + tenant.name if tenant else ''}}</h1>
<form method="get" action="/directory" class="form">
% if len(tenants) > 1:
  <label>{{_('Tenant')}} <select name="tenant">
% for t in tenants:
    <option value="{{t.code}}"{{!' selected' if tenant and t.id == tenant.id else ''}}>{{t.name}} ({{t.code}})</option>
% end
  </select></label>
% elif tenant:
  <input type="hidden" name="tenant" value="{{tenant.code}}">
% end
% hint = _('name, id, extension, department')
  <label>{{_('Filter')}} <input name="q" value="{{q}}" placeholder="{{hint}}" size="{{max(20, len(hint) * 5 // 4)}}"></label>
  <button type="submit">{{_('Show')}}</button>
% if q:
  <a href="/directory{{'?tenant=' + tenant.code if tenant else ''}}" class="small">{{_('clear')}}</a>
% end
  <a href="/directory/trunks{{'?tenant=' + tenant.code if tenant else ''}}" class="small">{{_('Trunks')}}</a>
% if user.is_admin:
  <a href="/directory/sync" class="small">{{_('Directory sync report')}}</a>
% end
</form>
% if get('error'):
<p class="banner warn pre">{{error}}</p>
% elif get('done'):
<p class="banner ok">{{done}}</p>
% end
% if tenant is None:
<p class="muted">{{_('No directory yet: the worker creates it when it starts.')}}</p>
% elif not tree and not left:
<p class="muted">{{_('Nobody matches “{q}”.').format(q=q) if q else _('Nobody in this directory yet.')}}</p>
% end
% if editable:
% include('directory_forms.tpl')
% end
% for branch, departments in tree.items():
<h2>{{branch or _('No branch')}}</h2>
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{_('Department')}}</th><th>{{_('Person')}}</th><th>{{_('Id')}}</th><th>{{_('Extensions')}}</th></tr></thead>
  <tbody>
% for department, people in departments.items():
% for i, p in enumerate(people):
    <tr><td>{{(department or _('No department')) if i == 0 else ''}}</td>
      <td><a href="/directory/person/{{p['id']}}">{{p['name'] or p['external_id']}}</a></td>
      <td>{{p['external_id']}}</td><td class="num">{{' '.join(p['extensions']) or '—'}}</td></tr>
% end
% end
  </tbody>
</table></div>
% end
% if left:
<h2>{{_('Left')}}</h2>
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{_('Person')}}</th><th>{{_('Id')}}</th></tr></thead>
  <tbody>
% for p in left:
    <tr><td><a href="/directory/person/{{p['id']}}">{{p['name'] or p['external_id']}}</a></td><td>{{p['external_id']}}</td></tr>
% end
  </tbody>
</table></div>
% end
