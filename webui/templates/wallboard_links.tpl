% # Wallboard links (webui/wallboard.py): a big screen opens its board with one, without a login; administrators of
% # the whole box make and revoke them here (or with `callbox queue wallboard`).
% rebase('base.tpl', title=title, nav='/callcentre', refresh=None)
% from webui.auth import csrf_token
<h1>{{title}}</h1>
% if error:
<p class="banner warn">{{error}}</p>
% end
% if made:
<p class="banner ok">{{_('The new link, shown only now: open it on the wallboard screen.')}}<br><code id="made-link">{{made}}</code></p>
% end
<p>{{_('A wallboard link shows its board read-only, with no login and no session to time out, until it is revoked.')}}</p>
<form method="post" action="/wallboard/links" class="form search">
  <input type="hidden" name="csrf_token" value="{{csrf_token()}}">
  <label>{{_('Name')}} <input name="name" value="{{form.get('name', '')}}" required maxlength="40"></label>
  <label>{{_('Queues (comma-separated; empty: every queue)')}} <input name="queues" value="{{form.get('queues', '')}}"></label>
  <button type="submit">{{_('Make a link')}}</button>
</form>
% if boards:
<div class="scroll" tabindex="0">
<table>
  <thead><tr><th>{{_('Name')}}</th><th>{{_('Queues')}}</th><th>{{_('Made')}}</th><th>{{_('Status')}}</th><th></th></tr></thead>
  <tbody>
% for b in boards:
  <tr><td>{{b.name}}</td><td>{{', '.join(b.queues) or _('All queues')}}</td><td>{{fmt_datetime(b.created_utc)}}</td>
    <td>{{_('revoked') if b.revoked_utc else _('in use')}}</td>
    <td>
% if not b.revoked_utc:
      <form method="post" action="/wallboard/links/revoke"><input type="hidden" name="csrf_token" value="{{csrf_token()}}"><input type="hidden" name="name" value="{{b.name}}"><button type="submit" class="link">{{_('Revoke')}}</button></form>
% end
    </td></tr>
% end
  </tbody>
</table>
</div>
% end
