% # A central's branch boxes and their health (APP-1), for administrators of the whole box. Times UTC.
% rebase('base.tpl', title=_('Branch boxes'), nav='/central/branches', refresh=60)
% from datetime import datetime, timezone
% def utc(epoch):
%   return datetime.fromtimestamp(epoch, timezone.utc).strftime('%Y-%m-%d %H:%M:%S') if epoch else '–'
% end
% links = {'up': _('up'), 'silent': _('silent'), 'never': _('never heard from'), 'revoked': _('revoked')}
<h1>{{_('Branch boxes')}}</h1>
<p class="muted">{{_('Each branch box sends its calls to this central and says it is up at least every sync period. A branch not heard from for {minutes} minutes is silent (and alerted). Times are UTC.').format(minutes=fmt_number(silent_min))}}</p>
% if problem:
<p class="banner warn">{{_('The central\'s database cannot be reached: {reason}').format(reason=problem)}}</p>
% elif not rows:
<p class="muted">{{_('No branch box is enrolled: callbox central branch add NAME gives one its enrolment token.')}}</p>
% else:
<div class="scroll" tabindex="0"><table id="branch-health">
  <thead><tr><th>{{_('Branch box')}}</th><th>{{_('Link')}}</th><th>{{_('Last contact')}}</th><th>{{_('Waiting to be sent')}}</th>
    <th>{{_('Newest call')}}</th><th>{{_('Journal')}}</th><th>{{_('Quarantined')}}</th><th>{{_('Tariffs')}}</th>
    <th>{{_('Staff directory')}}</th><th>{{_('Release')}}</th><th>{{_('Last batch')}}</th></tr></thead>
  <tbody>
% for r in rows:
    <tr class="{{'error' if r['link'] in ('silent', 'revoked') else ''}}" data-branch="{{r['branch']}}">
      <td class="box-name">{{r['label']}}
% if r['label'] != r['branch']:
        <span class="muted small">({{r['branch']}})</span>
% end
      </td><td class="link-state">{{links.get(r['link'], r['link'])}}</td><td class="num">{{utc(r['last_seen_utc'])}}</td>
      <td class="num">{{fmt_number(r['pending'])}}</td><td class="num">{{utc(r['last_record_utc'])}}</td>
      <td class="num journal">{{fmt_number(r['journal_bytes'] / 1048576, 1)}} MB
% if r.get('archived_segments'):
        <br><span class="muted small archived">{{_('archived here: {size} MB (segments: {segments})').format(segments=fmt_number(r['archived_segments']), size=fmt_number(r['archived_bytes'] / 1048576, 1))}}</span>
% end
      </td>
      <td class="num quarantined">{{fmt_number(r['quarantined'])}}</td>
      <td class="small tariffs">{{r['tariffs'] or '–'}}<br><span class="muted">{{utc(r['tariffs_changed_utc']) if r['tariffs_changed_utc'] else ''}}</span></td>
      <td class="small directory">{{r['directory'] or '–'}}<br><span class="muted">{{utc(r['directory_changed_utc']) if r['directory_changed_utc'] else ''}}</span></td>
      <td>{{r['version']}}</td>
      <td class="num">{{fmt_number(r['last_seq'])}} · {{utc(r['last_batch_utc'])}}</td></tr>
% end
  </tbody>
</table></div>
% end
