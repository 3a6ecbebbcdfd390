% # One call's full path (REP-12): every leg in PBX order, who it rang, for how long, and where it went.
% rebase('base.tpl', title=_('Call'), nav='/calls', refresh=None)
% c, att = path.call, path.attribution
<p class="small"><a href="/calls">← {{_('Calls')}}</a></p>
<h1>{{_('Call of {time}').format(time=fmt_datetime(c.start_utc, c.utc_offset, 'full'))}}</h1>
<dl class="cards">
  <div><dt>{{_('Direction')}}</dt><dd>{{direction_text(c.direction, c.party, c.trunk, c.driver)}}</dd></div>
% vm = voicemail_channel(path.legs)
% if vm:
  <div><dt>{{_('Answered by')}}</dt><dd class="small">{{_('voicemail')}} ({{vm}})</dd></div>
% end
  <div><dt>{{_('Extension')}}</dt><dd>{{!extension_html(c.extension) or '–'}}</dd></div>
  <div><dt>{{_('Person')}}</dt><dd class="small">{{att.name if att else '–'}}{{(' · ' + att.department) if att and att.department else ''}}</dd></div>
  <div><dt>{{_('Party')}}</dt><dd class="small">{{!party_html(c.party) or '–'}}</dd></div>
% if get('hunt'):
  <div><dt>{{_('Hunt group')}}</dt><dd class="small">{{!hunt_group_html(hunt.name, hunt.number)}}</dd></div>
% end
  <div><dt>{{_('Trunk')}}</dt><dd>{{c.trunk or '–'}}</dd></div>
  <div><dt>{{_('Ring')}}</dt><dd>{{fmt_duration(c.ring_s)}}</dd></div>
  <div><dt>{{_('Talk')}}</dt><dd>{{fmt_duration(c.talk_s)}}</dd></div>
  <div><dt>{{_('Answered')}}</dt><dd>{{term('yes' if c.answered else 'no')}}</dd></div>
  <div><dt>{{_('Transferred')}}</dt><dd>{{term('yes' if c.transferred else 'no')}}</dd></div>
  <div><dt>{{_('Cost')}}</dt><dd>{{fmt_money(c.cost, c.currency)}}</dd></div>
  <div><dt>{{_('Destination')}}</dt><dd class="small">{{c.destination or '–'}}</dd></div>
  <div><dt>{{_('Account code')}}</dt><dd>{{c.account_code or '–'}}</dd></div>
</dl>
% from webui.crm import call_link
% crm_url = call_link(path)
% if crm_url:
<p><a href="{{crm_url}}" id="crm-link" rel="noopener noreferrer" target="_blank">{{_('Open in the CRM')}}</a></p>
% end
% include('call_recording.tpl', path=path)
% include('call_queue.tpl', queued=get('queued', []), offset=c.utc_offset)
% include('call_notes.tpl', call_id=c.id)

<h2>{{ngettext('Path: {n} leg', 'Path: {n} legs', len(path.legs)).format(n=fmt_number(len(path.legs)))}}</h2>
% if not path.legs:
<p class="muted">{{_('The legs of this call are not stored.')}}</p>
% else:
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>#</th><th>{{_('After')}}</th><th>{{_('Direction')}}</th><th>{{_('Extension')}}</th><th>{{_('Person')}}</th><th>{{_('Party')}}</th>
    <th>{{_('Rang for')}}</th><th>{{_('Talked for')}}</th><th>{{_('Answered')}}</th><th>{{_('Transferred')}}</th><th>{{_('Details from the PBX')}}</th><th>{{_('Journal')}}</th></tr></thead>
  <tbody>
% for i, row in enumerate(path.legs, 1):
%   leg, who = row['leg'], row['attribution']
    <tr><td class="num">{{i}}</td><td class="num">+{{fmt_duration(row['offset_s'])}}</td><td>{{direction_text(leg.direction, leg.party, leg.trunk, leg.driver)}}</td>
      <td>{{!extension_html(leg.extension)}}</td>
      <td>{{who.name if who else ''}}</td><td>{{!party_html(leg.party)}}</td>
      <td class="num">{{fmt_duration(leg.ring_s)}}</td><td class="num">{{fmt_duration(leg.talk_s)}}</td>
      <td>{{term('yes' if leg.answered else 'no')}}</td><td>{{term('yes' if leg.transferred else 'no')}}</td>
%   shown = pbx_fields(leg.driver, row['extra'])
      <td class="small pbx-fields">
%   for n, f in enumerate(shown, 1):
        <span class="pbx-field" data-key="{{f.key}}">{{f.label}}: {{f.value}}</span>{{';' if n < len(shown) else ''}}
%   end
      </td>
      <td class="num">{{row['ref']}}</td></tr>
% end
  </tbody>
</table></div>
<p class="muted small">{{_("Each leg is one record the PBX printed; “after” is its start after the call's start. Times are the PBX's local time.")}}</p>
% end
