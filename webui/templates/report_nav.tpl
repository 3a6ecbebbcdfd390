% # The report pages' own links (under the one "Reports" entry of the header).
% from webui.auth import current_user
<nav class="subnav">
% links = [('/reports', _('Breakdown')), ('/reports/missed', _('Missed calls')), ('/reports/trunks', _('Trunk traffic')), ('/reports/concurrency', _('Concurrent calls'))]
% if current_user().is_admin:
% links.append(('/reports/timeranges', _('Time ranges')))
% end
% for href, text in links:
  <a href="{{href}}"{{!' aria-current="page"' if href == here else ''}}>{{text}}</a>
% end
</nav>
