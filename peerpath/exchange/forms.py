from django import forms


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV or XLSX file", help_text="Use the template: the first row names the columns.")
