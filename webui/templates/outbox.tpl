% # The delivery outbox: e-mails, uploads and traps waiting, failed, delivered or discarded. Values escaped by {{ }}.
% rebase('base.tpl', title=_('Outbox'), nav='/outbox', refresh=None)
% labels = {'': _('All'), 'pending': _('Waiting'), 'failed': _('Failed'), 'delivered': _('Delivered'), 'discarded': _('Discarded')}
% kinds = {'email': _('E-mail'), 'upload': _('Upload'), 'trap': _('SNMP trap')}
<h1>{{_('Outbox')}}</h1>
<p class="muted">{{_('E-mails, uploads and SNMP traps the box has to deliver. A failed item is tried again later (the wait doubles after each failure) until it is delivered or discarded here. Times are UTC.')}}</p>
% if banner:
<p class="banner {{banner[0]}}">{{banner[1]}}</p>
% end
% if not ready:
<p class="muted">{{_('No database yet: the worker creates it.')}}</p>
% else:
<nav class="tabs">
% for key in ('', 'pending', 'failed', 'delivered', 'discarded'):
% n = counts['pending'] + counts['delivered'] + counts['discarded'] if key == '' else counts[key]
  <a href="/outbox{{'?state=' + key if key else ''}}"{{!' aria-current="page"' if key == state else ''}}>{{labels[key]}} ({{n}})</a>
% end
</nav>
% if not items:
<p class="muted">{{_('Nothing here.')}}</p>
% else:
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>#</th><th>{{pgettext('outbox item', 'Kind')}}</th><th>{{_('To / target, subject')}}</th><th>{{_('State')}}</th>
    <th>{{_('Attempts')}}</th><th>{{_('Last error')}}</th><th>{{_('Next try')}}</th><th>{{_('Queued')}}</th><th></th></tr></thead>
  <tbody>
% for it in items:
% failed = it.state == 'pending' and it.attempts > 0
% shown = 'failed' if failed else it.state
    <tr class="{{shown}}">
      <td class="num">{{it.id}}</td>
      <td>{{kinds.get(it.kind, it.kind)}}</td>
      <td>{{it.summary}}</td>
      <td>{{labels[shown]}}{{' ' + utc_text(it.done_utc) if it.done_utc else ''}}</td>
      <td class="num">{{it.attempts}}</td>
      <td class="error">{{it.last_error}}</td>
% if it.state == 'pending':
      <td class="num">{{_('now') if it.next_try_utc <= now else utc_text(it.next_try_utc)}}</td>
% else:
      <td></td>
% end
      <td class="num">{{utc_text(it.created_utc)}}</td>
      <td>
% if it.state == 'pending':
        <form method="post" action="/outbox/retry" class="inline">
          <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="id" value="{{it.id}}">
          <input type="hidden" name="state" value="{{state}}">
          <button type="submit">{{_('Retry now')}}</button>
        </form>
        <form method="post" action="/outbox/discard" class="inline">
          <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="id" value="{{it.id}}">
          <input type="hidden" name="state" value="{{state}}">
          <button type="submit">{{_('Discard')}}</button>
        </form>
% end
      </td>
    </tr>
% end
  </tbody>
</table></div>
% if len(items) >= limit:
<p class="muted small">{{_('Only the first {n} items are shown.').format(n=limit)}}</p>
% end
% end
% end
