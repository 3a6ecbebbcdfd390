% # The date range fields of a report form: a named range, or custom dates (used when "Custom dates" is chosen).
  <label>{{_('Dates')}} <select name="range">
% for name, text in rp_ranges.items():
    <option value="{{name}}"{{!' selected' if name == range_value else ''}}>{{_(text)}}</option>
% end
  </select></label>
  <label>{{_('From')}} <input name="since" type="date" value="{{since_value}}"></label>
  <label>{{_('Until (exclusive)')}} <input name="until" type="date" value="{{until_value}}"></label>
