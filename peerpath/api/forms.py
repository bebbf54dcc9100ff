from django import forms


class TokenForm(forms.Form):
    name = forms.CharField(label="What is this token for?", max_length=100)
