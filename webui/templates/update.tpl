% # The Update page (webui/admin/update.py): version, root slot, history; a signed bundle sent as the request body.
% rebase('base.tpl', title=_('Update'), nav='/setup', refresh=None)
<h1>{{_('Update')}}</h1>
% if error:
<p class="banner warn" id="update-error">{{error}}</p>
% end
% if received or pending:
<p class="banner ok" id="update-received">{{_('The update bundle was received. The box checks its signature, writes it to the other root slot and restarts with it: this takes a few minutes. The history below says how it went.')}}</p>
% end
<table class="grid" id="update-state">
  <tr><th>{{_('Version')}}</th><td id="version">{{version}}</td></tr>
  <tr><th>{{_('Running from root slot')}}</th><td id="slot">{{slot.upper() if slot else _('not an appliance image (no A/B slots)')}}</td></tr>
% for name, slot_state in sorted(slots.items()):
  <tr><th>{{_('Slot {slot}').format(slot=name.upper())}}</th><td class="slot-state">{{_('bootable') if slot_state == 'good' else _('not bootable (empty, or did not come up healthy)')}}</td></tr>
% end
</table>
<h2>{{_('Install an update')}}</h2>
% if updater:
<p>{{_('Choose a signed update bundle (.raucb). A bundle that is not signed with this box\'s update key is refused. The box restarts into the new version; if it does not come up healthy, the box goes back to the version it runs now by itself.')}}</p>
<form method="post" action="/update" class="form" id="update-form" data-csrf="{{csrf}}" data-max="{{max_mb << 20}}">
  <p><label>{{_('Update bundle (at most {mb} MiB)').format(mb=max_mb)}}<br><input type="file" id="bundle" accept=".raucb" required></label></p>
  <p><button type="submit" id="send">{{_('Send and install')}}</button> <span id="update-progress" class="muted"></span></p>
</form>
% else:
<p class="muted" id="no-updater">{{_('This box has no updater: nothing here would install an update bundle. Update it with a new image or the package.')}}</p>
% end
<h2>{{_('Update history')}}</h2>
% if not history:
<p class="muted" id="no-history">{{_('No update yet.')}}</p>
% else:
<table class="grid" id="update-history">
  <tr><th>{{_('When (UTC)')}}</th><th>{{_('What')}}</th><th>{{_('Version')}}</th><th>{{_('Slot')}}</th><th>{{_('Details')}}</th></tr>
%   events = {'installed': _('installed'), 'refused': _('refused'), 'booted': _('started'), 'healthy': _('healthy: kept'), 'rolled_back': _('rolled back')}
%   for h in history:
  <tr class="event-{{h.get('event', '')}}"><td>{{h.get('at', '')}}</td><td>{{events.get(h.get('event', ''), h.get('event', ''))}}</td><td>{{h.get('version', '')}}</td><td>{{str(h.get('slot', '')).upper()}}</td><td><small>{{h.get('detail', '')}}</small></td></tr>
%   end
</table>
% end
<script src="/static/update.js"></script>
